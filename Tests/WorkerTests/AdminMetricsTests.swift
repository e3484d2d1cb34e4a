import XCTest
import ServerCore
@testable import Worker

/// The admin `/metrics` page built from the scoreboard.
final class AdminMetricsTests: XCTestCase {
    func metrics(_ board: Scoreboard) -> [String] {
        let body = AdminEndpoints(scoreboard: board, listeners: []).metrics().body
        return String(decoding: body, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    func testWorkerSeriesAreLabelledBySlotNotByPid() throws {
        let (board, fd) = try Scoreboard.create(slots: 4)
        fd.closeAfterFailure()
        // Slot 1 is being handed over: the old worker drains, its replacement boots.
        board.slot(0).reset(pid: 4100, generation: 1, now: 10, slot: 0)
        board.slot(0).rss = 1000
        board.slot(1).reset(pid: 4101, generation: 1, now: 10, slot: 1)
        board.slot(1).rss = 2000
        board.slot(1).state = .draining
        board.slot(2).reset(pid: 4202, generation: 2, now: 20, slot: 1)
        board.slot(2).rss = 3000
        let series = metrics(board).filter { !$0.hasPrefix("#") }
        XCTAssertEqual(series.filter { $0.contains("pid=") }, [], "a pid label makes new series at every restart")
        let rss = series.filter { $0.hasPrefix("paddock_worker_rss_bytes") }
        XCTAssertEqual(rss, [#"paddock_worker_rss_bytes{slot="0"} 1000"#, #"paddock_worker_rss_bytes{slot="1"} 3000"#],
                       "one series per slot; the newest worker speaks for a slot being handed over")
    }
}
