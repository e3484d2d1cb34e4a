import XCTest
import ServerCore
@testable import Worker

/// After an upgrade in place the new executable adopts workers (and retired
/// totals) whose counters are in the previous layout: they are left out of
/// `/metrics`, never read as if they were this layout.
final class CountersLayoutTests: XCTestCase {
    func requestLines(_ board: Scoreboard) -> [String] {
        String(decoding: AdminEndpoints(scoreboard: board, listeners: []).metrics().body, as: UTF8.self)
            .split(separator: "\n").filter { $0.hasPrefix("paddock_requests_total{") }.map(String.init)
    }

    func testCountersOfAnotherLayoutAreNotReadAndAdoptionClearsOldTotals() throws {
        let (board, fd) = try Scoreboard.create(slots: 2)
        fd.closeAfterFailure()
        XCTAssertEqual(board.header.countersLayout, UInt64(RequestCounters.layoutVersion))
        board.slot(0).reset(pid: 10, generation: 1, now: 0, slot: 0)
        board.slot(0).counters.record(route: RouteLabels.other, status: 200, nanoseconds: 1)
        // A worker whose entry the previous executable cleared, with its words.
        board.slot(1).reset(pid: 11, generation: 1, now: 0, slot: 1)
        board.slot(1).countersLayout = 0
        board.slot(1).counters.record(route: RouteLabels.other, status: 200, nanoseconds: 1)
        XCTAssertEqual(requestLines(board), [#"paddock_requests_total{route="other",status="200"} 1"#])

        // The previous executable's totals: cleared when a master of this layout adopts the scoreboard.
        board.header.retired.record(route: RouteLabels.other, status: 500, nanoseconds: 1)
        board.header.countersLayout = 0
        board.header.adoptCounters()
        XCTAssertEqual(board.header.retired.total, 0)
        XCTAssertEqual(board.header.countersLayout, UInt64(RequestCounters.layoutVersion))
        board.header.retired.record(route: RouteLabels.other, status: 500, nanoseconds: 1)
        board.header.adoptCounters()
        XCTAssertEqual(board.header.retired.total, 1, "totals of this layout are kept")
    }
}
