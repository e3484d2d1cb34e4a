import XCTest
import ServerCore
@testable import Worker

/// The worker's lifecycle and what the scoreboard says of it.
final class WorkerLifecycleTests: XCTestCase {
    let s: UInt64 = 1_000_000_000

    func testServingThenUnreadyThenDraining() {
        var l = WorkerLifecycle.starting
        XCTAssertEqual(l.activity(handling: false), .booting)
        l.started()
        XCTAssertEqual(l, .serving)
        XCTAssertTrue(l.mayReportReady)
        XCTAssertEqual(l.activity(handling: true), .handling)
        l.becomeUnready()
        XCTAssertFalse(l.mayReportReady)
        XCTAssertFalse(l.isStopping, "unready still serves")
        XCTAssertEqual(l.activity(handling: false), .idle)
        XCTAssertTrue(l.beginDrain(now: 5 * s))
        XCTAssertEqual(l, .draining(since: 5 * s))
        XCTAssertFalse(l.beginDrain(now: 6 * s), "a second drain changes nothing")
        l.becomeUnready()
        XCTAssertEqual(l, .draining(since: 5 * s))
    }

    func testADrainingWorkerStaysDrainingInTheScoreboardWhileItHandles() {
        var l = WorkerLifecycle.serving
        _ = l.beginDrain(now: 0)
        XCTAssertEqual(l.activity(handling: true), .draining, "peers must not count a draining worker as serving")
        XCTAssertEqual(l.activity(handling: false), .draining)
        XCTAssertTrue(l.isStopping)
        XCTAssertFalse(l.mayReportReady)
    }

    func testADrainEndsWhenTheLastConnectionCloses() {
        var l = WorkerLifecycle.serving
        XCTAssertFalse(l.isFinished(open: 0, now: 0), "serving never finishes")
        _ = l.beginDrain(now: 0)
        XCTAssertFalse(l.isFinished(open: 1, now: 1000 * s), "a drain has no deadline of its own")
        XCTAssertTrue(l.isFinished(open: 0, now: 1))
    }

    func testAQuickStopEndsAtItsGraceEvenFromADrain() {
        var l = WorkerLifecycle.serving
        _ = l.beginDrain(now: 0)
        XCTAssertTrue(l.beginQuit(now: 10 * s, grace: 2 * s))
        XCTAssertEqual(l, .quitting(deadline: 12 * s))
        XCTAssertFalse(l.beginQuit(now: 11 * s, grace: 2 * s), "the first quit's deadline holds")
        XCTAssertFalse(l.beginDrain(now: 11 * s), "no way back to a drain")
        XCTAssertFalse(l.isFinished(open: 3, now: 12 * s - 1))
        XCTAssertTrue(l.isFinished(open: 3, now: 12 * s))
        XCTAssertTrue(l.isFinished(open: 0, now: 11 * s))
        XCTAssertTrue(l.isQuitting)
    }
}
