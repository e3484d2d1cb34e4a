import XCTest
@testable import Worker

/// How much one connection does per turn of the event loop.
final class TurnBudgetTests: XCTestCase {
    func testOneExpensiveRequestEndsTheTurn() {
        var b = TurnBudget(now: 0)
        // A password check: ~90 ms.
        XCTAssertFalse(b.spend(now: 90_000_000))
    }

    func testCheapRequestsShareATurnUpToTheCount() {
        var b = TurnBudget(now: 1_000)
        for i in 1..<TurnBudget.maxRequests {
            XCTAssertTrue(b.spend(now: 1_000 + UInt64(i) * 1_000), "request \(i)")
        }
        XCTAssertFalse(b.spend(now: 100_000), "request \(TurnBudget.maxRequests) ends the turn")
    }

    func testTheTimeSliceEndsATurnOfCheapRequests() {
        var b = TurnBudget(now: 0)
        XCTAssertTrue(b.spend(now: TurnBudget.timeSlice / 2))
        XCTAssertFalse(b.spend(now: TurnBudget.timeSlice))
    }
}
