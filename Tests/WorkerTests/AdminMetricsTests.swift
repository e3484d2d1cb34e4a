import XCTest
import ServerCore
@testable import Worker

/// The admin `/metrics` page built from the scoreboard.
final class AdminMetricsTests: XCTestCase {
    func metrics(_ board: Scoreboard) -> [String] {
        let body = AdminEndpoints(scoreboard: board, listeners: [], routes: RouteLabels(templates: ["/api/users/{id}"])).metrics().body
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

    /// The index of the one template above.
    let api = 2

    func requestSeries(_ board: Scoreboard) -> [String] {
        metrics(board).filter { $0.hasPrefix("paddock_requests_total{") }
    }

    func testRequestsCarryTheExactStatusCode() throws {
        let (board, fd) = try Scoreboard.create(slots: 2)
        fd.closeAfterFailure()
        board.slot(0).reset(pid: 10, generation: 1, now: 0, slot: 0)
        let counters = board.slot(0).counters
        for status in [200, 200, 201, 404, 401, 503] { counters.record(route: api, status: status, nanoseconds: 1000) }
        counters.record(route: RouteLabels.health, status: 200, nanoseconds: 1000)
        XCTAssertEqual(requestSeries(board), [
            #"paddock_requests_total{route="health",status="200"} 1"#,
            #"paddock_requests_total{route="/api/users/{id}",status="200"} 2"#,
            #"paddock_requests_total{route="/api/users/{id}",status="201"} 1"#,
            #"paddock_requests_total{route="/api/users/{id}",status="401"} 1"#,
            #"paddock_requests_total{route="/api/users/{id}",status="404"} 1"#,
            #"paddock_requests_total{route="/api/users/{id}",status="503"} 1"#,
        ])
    }

    func testAnExitedWorkersCodesAreFoldedIntoTheTotalsByCode() throws {
        let (board, fd) = try Scoreboard.create(slots: 2)
        fd.closeAfterFailure()
        board.slot(0).reset(pid: 10, generation: 1, now: 0, slot: 0)
        board.slot(1).reset(pid: 11, generation: 1, now: 0, slot: 1)
        board.slot(0).counters.record(route: api, status: 404, nanoseconds: 1)
        board.slot(1).counters.record(route: api, status: 200, nanoseconds: 1)
        board.slot(1).counters.record(route: api, status: 404, nanoseconds: 1)
        // The master folds slot 1's worker into the totals when it exits.
        board.header.retired.add(board.slot(1).counters)
        board.slot(1).counters.clear()
        board.slot(1).state = .empty
        board.slot(1).pid = 0
        XCTAssertEqual(requestSeries(board), [
            #"paddock_requests_total{route="/api/users/{id}",status="200"} 1"#,
            #"paddock_requests_total{route="/api/users/{id}",status="404"} 2"#,
        ])
        XCTAssertEqual(board.header.retired.total, 2)
    }

    func testCodesBeyondTheTablesRoomAreCountedByClass() throws {
        let (board, fd) = try Scoreboard.create(slots: 1)
        fd.closeAfterFailure()
        board.slot(0).reset(pid: 10, generation: 1, now: 0, slot: 0)
        let counters = board.slot(0).counters
        for i in 0..<RequestCounters.codeEntries { counters.record(route: RouteLabels.other, status: 400 + i, nanoseconds: 1) }
        counters.record(route: api, status: 418, nanoseconds: 1)
        counters.record(route: api, status: 418, nanoseconds: 1)
        let series = requestSeries(board)
        XCTAssertEqual(series.count, RequestCounters.codeEntries + 1)
        XCTAssertTrue(series.contains(#"paddock_requests_total{route="other",status="4xx"} 2"#), "\(series)")
        XCTAssertEqual(counters.total, UInt64(RequestCounters.codeEntries + 2), "every request still counted once")
    }
}
