import XCTest
@testable import Worker

/// Backpressure and the write deadline, with a manual clock.
final class OutputFlowTests: XCTestCase {
    let s: UInt64 = 1_000_000_000

    func makeFlow() -> OutputFlow { OutputFlow(highWater: 64 << 10, writeTimeout: 30 * s) }

    func testEverythingWrittenNeverPausesOrArmsADeadline() {
        var f = makeFlow()
        XCTAssertEqual(f.wrote(unsent: 0, progressed: true, now: 1), .none)
        XCTAssertFalse(f.paused)
        XCTAssertNil(f.deadline)
        XCTAssertFalse(f.isStalled(now: 1000 * s))
    }

    func testPausesAtHighWaterAndResumesOnlyAtLowWater() {
        var f = makeFlow()
        XCTAssertEqual(f.lowWater, 32 << 10, "low water defaults to half")
        XCTAssertEqual(f.wrote(unsent: (64 << 10) - 1, progressed: false, now: 0), .none, "below high water: keep parsing")
        XCTAssertFalse(f.isFull(unsent: (64 << 10) - 1))
        XCTAssertTrue(f.isFull(unsent: 64 << 10))
        XCTAssertEqual(f.wrote(unsent: 300 << 10, progressed: false, now: 0), .pause)
        XCTAssertTrue(f.paused)
        // Between the marks nothing changes: no resume per small write.
        XCTAssertEqual(f.wrote(unsent: 50 << 10, progressed: true, now: 1), .none)
        XCTAssertTrue(f.paused)
        XCTAssertEqual(f.wrote(unsent: 32 << 10, progressed: true, now: 2), .resume)
        XCTAssertFalse(f.paused)
        // Pausing again takes the high-water mark again.
        XCTAssertEqual(f.wrote(unsent: 40 << 10, progressed: false, now: 3), .none)
    }

    func testDrainingCompletelyResumesAndClearsTheDeadline() {
        var f = makeFlow()
        _ = f.wrote(unsent: 1 << 20, progressed: false, now: 0)
        XCTAssertEqual(f.wrote(unsent: 0, progressed: true, now: 5 * s), .resume)
        XCTAssertNil(f.deadline)
    }

    func testDeadlineRunsFromTheLastProgressNotFromNewOutput() {
        var f = makeFlow()
        _ = f.wrote(unsent: 10, progressed: true, now: 0)
        XCTAssertEqual(f.deadline, 30 * s)
        // More output appended (a new request answered) without the client
        // reading: the deadline stays where it was.
        _ = f.wrote(unsent: 500, progressed: false, now: 20 * s)
        XCTAssertEqual(f.deadline, 30 * s)
        XCTAssertFalse(f.isStalled(now: 30 * s - 1))
        XCTAssertTrue(f.isStalled(now: 30 * s))
        // The client accepts a byte: the clock starts over.
        _ = f.wrote(unsent: 499, progressed: true, now: 25 * s)
        XCTAssertEqual(f.deadline, 55 * s)
    }

    func testFirstBlockedWriteStartsTheClockEvenWithoutProgress() {
        var f = makeFlow()
        _ = f.wrote(unsent: 100, progressed: false, now: 7 * s)
        XCTAssertEqual(f.deadline, 37 * s)
    }

    func testLowWaterIsBelowHighWater() {
        let f = OutputFlow(highWater: 4096, lowWater: 8192, writeTimeout: s)
        XCTAssertLessThan(f.lowWater, f.highWater)
    }
}
