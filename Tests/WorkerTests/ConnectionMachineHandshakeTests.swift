import XCTest
@testable import Worker

/// A TLS connection's handshake phase, driven with a manual clock: the
/// handshake and the first request's first byte share the deadline set at
/// the accept, and handshake bytes never move it.
final class ConnectionMachineHandshakeTests: XCTestCase {
    let s: UInt64 = 1_000_000_000

    func makeMachine(now: UInt64, handshake: Bool = true) -> ConnectionMachine {
        ConnectionMachine(timeouts: .init(header: 10 * s, body: 30 * s, keepAlive: 5 * s, linger: 2 * s, drainIdle: 1 * s),
                          flow: OutputFlow(highWater: 64 << 10, writeTimeout: 20 * s), now: now, handshake: handshake)
    }

    func testAHandshakeMustCompleteWithinTheHeaderTimeoutOfTheAccept() {
        var m = makeMachine(now: 100 * s)
        XCTAssertEqual(m.phase, .handshaking)
        // Handshake bytes arriving are not a request: the deadline stays.
        m.bytesArrived(now: 105 * s)
        XCTAssertEqual(m.phase, .handshaking)
        XCTAssertNil(m.expiry(now: 110 * s - 1, silentTimeout: nil))
        XCTAssertEqual(m.expiry(now: 110 * s, silentTimeout: nil), .handshakeTimeout)
    }

    func testAfterTheHandshakeTheFirstRequestKeepsTheDeadlineOfTheAccept() {
        var m = makeMachine(now: 100 * s)
        m.handshakeCompleted()
        XCTAssertEqual(m.phase, .idle)
        XCTAssertEqual(m.expiry(now: 110 * s, silentTimeout: nil), .firstRequestTimeout, "a slow handshake leaves the request less time")
        // Once a request starts, its own header_read_timeout runs from its first byte.
        m.bytesArrived(now: 109 * s)
        XCTAssertEqual(m.phase, .reading)
        XCTAssertNil(m.expiry(now: 119 * s - 1, silentTimeout: nil))
        XCTAssertEqual(m.expiry(now: 119 * s, silentTimeout: nil), .readTimeout)
    }

    func testUnderPressureAStalledHandshakeGoesAtTheSilentTimeout() {
        let m = makeMachine(now: 0)
        XCTAssertNil(m.expiry(now: 2 * s - 1, silentTimeout: 2 * s))
        XCTAssertEqual(m.expiry(now: 2 * s, silentTimeout: 2 * s), .silent)
    }

    func testAPlainConnectionHasNoHandshakePhase() {
        var m = makeMachine(now: 0, handshake: false)
        XCTAssertEqual(m.phase, .idle)
        m.handshakeCompleted()
        XCTAssertEqual(m.phase, .idle)
        m.bytesArrived(now: 1 * s)
        m.handshakeCompleted()
        XCTAssertEqual(m.phase, .reading, "a completed handshake never resets a request under way")
    }

    func testAHandshakeInProgressIsNotCutShortByADrain() {
        var m = makeMachine(now: 0)
        m.drainBegan(now: 1 * s)
        XCTAssertNil(m.expiry(now: 9 * s, silentTimeout: nil), "the drain grace is for idle keep-alive connections")
        XCTAssertEqual(m.expiry(now: 10 * s, silentTimeout: nil), .handshakeTimeout)
    }
}
