import Paddock
import XCTest

/// What `import Paddock` brings into a file, and what it leaves alone.
final class ExportsTests: XCTestCase {
    /// The standard library's `Clock` protocol is not hidden by the server's clocks.
    func testClockIsStillTheStandardLibrarysProtocol() {
        struct Ticks: Clock {
            var now: ContinuousClock.Instant { ContinuousClock.now }
            var minimumResolution: Duration { .nanoseconds(1) }
            func sleep(until deadline: ContinuousClock.Instant, tolerance: Duration?) async throws {}
        }
        let clock: any Clock<Duration> = Ticks()
        XCTAssertEqual(clock.minimumResolution, .nanoseconds(1))
        XCTAssertGreaterThan(SystemClock.monotonicNanoseconds(), 0)
    }
}
