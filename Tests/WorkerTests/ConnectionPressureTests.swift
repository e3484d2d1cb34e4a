import XCTest
@testable import Worker

/// Which connection makes room at `worker_connections`, and when a silent
/// connection's short deadline applies.
final class ConnectionPressureTests: XCTestCase {
    let s: UInt64 = 1_000_000_000

    func testFullAndPressureThresholds() {
        let p = ConnectionPressure(capacity: 100)
        XCTAssertFalse(p.isFull(open: 99))
        XCTAssertTrue(p.isFull(open: 100))
        XCTAssertFalse(p.isUnderPressure(open: 74))
        XCTAssertTrue(p.isUnderPressure(open: 75))
    }

    func testLongestIdleKeepAliveIsChosenBeforeAnySilentConnection() {
        var choice = ConnectionPressure.Choice()
        XCTAssertNil(choice.index)
        choice.consider(0, .silent, idleSince: 1)
        choice.consider(1, .keepAlive, idleSince: 50)
        choice.consider(2, .keepAlive, idleSince: 20)
        choice.consider(3, .keepAlive, idleSince: 30)
        choice.consider(4, .silent, idleSince: 0)
        XCTAssertEqual(choice.index, 2)
    }

    func testOldestSilentConnectionWhenNoneIsKeepAlive() {
        var choice = ConnectionPressure.Choice()
        choice.consider(7, .silent, idleSince: 9)
        choice.consider(8, .silent, idleSince: 3)
        choice.consider(9, .silent, idleSince: 5)
        XCTAssertEqual(choice.index, 8)
    }

    func testSilentConnectionsGetTheShortDeadlineOnlyUnderPressure() {
        let p = ConnectionPressure(capacity: 40, silentTimeout: 2 * s)
        XCTAssertFalse(p.silentExpired(acceptedAt: 0, open: 10, now: 100 * s), "no pressure: header_read_timeout applies")
        XCTAssertFalse(p.silentExpired(acceptedAt: 10 * s, open: 30, now: 12 * s - 1))
        XCTAssertTrue(p.silentExpired(acceptedAt: 10 * s, open: 30, now: 12 * s))
    }
}
