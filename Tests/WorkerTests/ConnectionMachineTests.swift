import XCTest
@testable import Worker

/// A connection's phases and deadlines, driven with a manual clock.
final class ConnectionMachineTests: XCTestCase {
    let ms: UInt64 = 1_000_000
    let s: UInt64 = 1_000_000_000

    var timeouts: ConnectionMachine.Timeouts {
        .init(header: 10 * s, body: 30 * s, keepAlive: 5 * s, linger: 2 * s, drainIdle: 1 * s)
    }

    func makeMachine(now: UInt64 = 0, keepAlive: UInt64? = nil) -> ConnectionMachine {
        var t = timeouts
        if let keepAlive { t.keepAlive = keepAlive; t.drainIdle = min(keepAlive, 1 * s) }
        return ConnectionMachine(timeouts: t, flow: OutputFlow(highWater: 64 << 10, writeTimeout: 20 * s), now: now)
    }

    /// One complete request answered at `now`, keep-alive as the client asked.
    func answer(_ m: inout ConnectionMachine, at now: UInt64, keepAlive: Bool = true, stopping: Bool = false,
                moreInput: Bool = false) -> Bool {
        let kept = m.responseReady(keepAliveRequested: keepAlive, stopping: stopping, shed: { false })
        m.responseQueued(now: now, moreInput: moreInput)
        return kept
    }

    func testANewConnectionGetsTheHeaderTimeoutFromItsAccept() {
        let m = makeMachine(now: 100 * s)
        XCTAssertNil(m.expiry(now: 110 * s - 1, silentTimeout: nil), "not before header_read_timeout")
        XCTAssertEqual(m.expiry(now: 110 * s, silentTimeout: nil), .firstRequestTimeout)
    }

    func testUnderPressureASilentConnectionGoesAtTheSilentTimeout() {
        let m = makeMachine(now: 0)
        XCTAssertNil(m.expiry(now: 2 * s - 1, silentTimeout: 2 * s))
        XCTAssertEqual(m.expiry(now: 2 * s, silentTimeout: 2 * s), .silent)
        XCTAssertNil(m.expiry(now: 2 * s, silentTimeout: nil), "no pressure: header_read_timeout applies")
    }

    func testHeaderTimeoutRunsFromTheFirstByteOfARequest() {
        var m = makeMachine(now: 0)
        m.bytesArrived(now: 3 * s)
        XCTAssertEqual(m.phase, .reading)
        // More bytes of the same request do not move the deadline.
        m.bytesArrived(now: 8 * s)
        XCTAssertNil(m.expiry(now: 13 * s - 1, silentTimeout: 2 * s), "a reading connection is not silent")
        XCTAssertEqual(m.expiry(now: 13 * s, silentTimeout: nil), .readTimeout)
    }

    func testTheBodyGetsItsOwnTimeoutOnceFromTheEndOfTheHead() {
        var m = makeMachine(now: 0)
        m.bytesArrived(now: 1 * s)
        m.awaitingBody(now: 2 * s)
        XCTAssertNil(m.expiry(now: 32 * s - 1, silentTimeout: nil), "body_read_timeout, not header_read_timeout")
        // Later chunks of the body do not extend it again.
        m.awaitingBody(now: 20 * s)
        XCTAssertEqual(m.expiry(now: 32 * s, silentTimeout: nil), .readTimeout)
    }

    func testContinueStartsTheBodyTimeout() {
        var m = makeMachine(now: 0)
        m.bytesArrived(now: 1 * s)
        m.continueSent(now: 5 * s)
        XCTAssertNil(m.expiry(now: 35 * s - 1, silentTimeout: nil))
        XCTAssertEqual(m.expiry(now: 35 * s, silentTimeout: nil), .readTimeout)
    }

    func testKeepAliveIdleTimesOutAfterKeepaliveFromTheResponse() {
        var m = makeMachine(now: 0)
        m.bytesArrived(now: 1 * s)
        XCTAssertTrue(answer(&m, at: 2 * s))
        XCTAssertEqual(m.phase, .idle)
        XCTAssertTrue(m.served)
        XCTAssertFalse(m.closeAfterWrite)
        XCTAssertEqual(m.idleSince, 2 * s)
        XCTAssertNil(m.expiry(now: 7 * s - 1, silentTimeout: 2 * s), "not before keepalive, and a served connection is never silent")
        XCTAssertEqual(m.expiry(now: 7 * s, silentTimeout: nil), .keepAliveIdle)
    }

    func testAPipelinedRequestGetsTheHeaderTimeoutAtOnce() {
        var m = makeMachine(now: 0)
        m.bytesArrived(now: 0)
        XCTAssertTrue(answer(&m, at: 1 * s, moreInput: true))
        XCTAssertEqual(m.phase, .reading)
        XCTAssertNil(m.expiry(now: 11 * s - 1, silentTimeout: nil))
        XCTAssertEqual(m.expiry(now: 11 * s, silentTimeout: nil), .readTimeout)
    }

    func testKeepAliveOrCloseFollowsTheClientTheSettingAndTheWorker() {
        var asked = makeMachine()
        XCTAssertFalse(answer(&asked, at: 1, keepAlive: false), "the client asked to close")
        XCTAssertTrue(asked.closeAfterWrite)
        var off = makeMachine(keepAlive: 0)
        XCTAssertFalse(answer(&off, at: 1), "keepalive = 0")
        XCTAssertTrue(off.closeAfterWrite)
        var shed = makeMachine()
        XCTAssertFalse(shed.responseReady(keepAliveRequested: true, stopping: false, shed: { true }), "shed to rebalance")
        var asks = 0
        var closing = makeMachine()
        XCTAssertFalse(closing.responseReady(keepAliveRequested: false, stopping: false, shed: { asks += 1; return false }))
        XCTAssertEqual(asks, 0, "the balancer is asked only when the connection would stay open")
    }

    func testADrainAnswersWithConnectionCloseAndShortensIdleConnections() {
        var idle = makeMachine(now: 0)
        XCTAssertTrue(answer(&idle, at: 1 * s))
        idle.drainBegan(now: 2 * s)
        XCTAssertNil(idle.expiry(now: 3 * s - 1, silentTimeout: nil), "a request may still be on the wire")
        XCTAssertEqual(idle.expiry(now: 3 * s, silentTimeout: nil), .keepAliveIdle)
        // A request that arrives in the grace is answered, with Connection: close.
        idle.bytesArrived(now: 2 * s + 500 * ms)
        XCTAssertFalse(answer(&idle, at: 2 * s + 600 * ms, stopping: true))
        XCTAssertTrue(idle.closeAfterWrite)
        // A request under way keeps its own deadline.
        var reading = makeMachine(now: 0)
        reading.bytesArrived(now: 1 * s)
        reading.drainBegan(now: 2 * s)
        XCTAssertNil(reading.expiry(now: 11 * s - 1, silentTimeout: nil))
    }

    func testTheWriteTimeoutRunsFromTheLastByteTheClientAccepted() {
        var m = makeMachine(now: 0)
        m.bytesArrived(now: 0)
        XCTAssertTrue(answer(&m, at: 0))
        XCTAssertEqual(m.wrote(unsent: 1000, progressed: true, now: 1 * s, bufferedInput: false), .updateInterest)
        XCTAssertTrue(m.waitsForSocket)
        // New requests do not move the write deadline; progress does.
        m.bytesArrived(now: 10 * s)
        XCTAssertEqual(m.wrote(unsent: 900, progressed: true, now: 15 * s, bufferedInput: false), .none)
        XCTAssertEqual(m.wrote(unsent: 900, progressed: false, now: 30 * s, bufferedInput: false), .none)
        XCTAssertNil(m.expiry(now: 35 * s - 1, silentTimeout: nil), "the input deadline does not apply while output waits")
        XCTAssertEqual(m.expiry(now: 35 * s, silentTimeout: nil), .writeTimeout)
    }

    func testOnceTheClientHasReadEverythingTheInputClockStartsOver() {
        var m = makeMachine(now: 0)
        m.bytesArrived(now: 0)
        XCTAssertTrue(answer(&m, at: 0))
        _ = m.wrote(unsent: 1000, progressed: true, now: 0, bufferedInput: false)
        XCTAssertEqual(m.wrote(unsent: 0, progressed: true, now: 8 * s, bufferedInput: false), .updateInterest)
        XCTAssertFalse(m.waitsForSocket)
        XCTAssertEqual(m.idleSince, 8 * s)
        XCTAssertNil(m.expiry(now: 13 * s - 1, silentTimeout: nil), "keepalive counts from the last byte read")
        XCTAssertEqual(m.expiry(now: 13 * s, silentTimeout: nil), .keepAliveIdle)
    }

    func testBackpressurePausesInputAndResumesWithATurnForBufferedRequests() {
        var m = makeMachine()
        XCTAssertTrue(m.wantsInput)
        XCTAssertEqual(m.wrote(unsent: 64 << 10, progressed: false, now: 0, bufferedInput: true), .updateInterest)
        XCTAssertFalse(m.wantsInput)
        XCTAssertFalse(m.wantsRequests)
        XCTAssertTrue(m.outputIsFull(unsent: 0), "paused: parse nothing more")
        XCTAssertEqual(m.wrote(unsent: 0, progressed: true, now: 1, bufferedInput: true), .resumeTurn)
        XCTAssertTrue(m.wantsInput)
        var empty = makeMachine()
        _ = empty.wrote(unsent: 64 << 10, progressed: false, now: 0, bufferedInput: false)
        XCTAssertEqual(empty.wrote(unsent: 0, progressed: true, now: 1, bufferedInput: false), .updateInterest,
                       "nothing buffered: wait for epoll")
    }

    func testAnErrorResponseFinishesWithAHalfCloseAndLinger() {
        var m = makeMachine(now: 0)
        m.bytesArrived(now: 0)
        m.failed()
        XCTAssertFalse(m.wantsRequests, "nothing after a bad request is read")
        XCTAssertFalse(m.wantsInput)
        XCTAssertEqual(m.wrote(unsent: 0, progressed: true, now: 1 * s, bufferedInput: false), .finish)
        XCTAssertEqual(m.closing(nothingBuffered: false, quitting: false), .halfCloseAndLinger)
        m.lingering(now: 1 * s)
        XCTAssertEqual(m.phase, .lingering)
        XCTAssertTrue(m.wantsInput, "lingering discards input until the peer closes")
        XCTAssertNil(m.expiry(now: 3 * s - 1, silentTimeout: nil), "linger until the linger time ends")
        XCTAssertEqual(m.expiry(now: 3 * s, silentTimeout: nil), .lingerEnded)
    }

    func testClosingAsksTheKernelOnlyWhenNothingIsKnownUnread() {
        var m = makeMachine()
        XCTAssertFalse(answer(&m, at: 0, keepAlive: false))
        XCTAssertEqual(m.closing(nothingBuffered: true, quitting: false), .closeIfNothingUnread)
        XCTAssertEqual(m.closing(nothingBuffered: true, quitting: true), .halfCloseAndLinger, "quitting: no syscall to ask")
        m.inputEnded()
        XCTAssertEqual(m.closing(nothingBuffered: false, quitting: false), .close, "the client closed: nothing more can arrive")
    }

    func testAHalfClosedClientGetsWhatItIsOwedThenTheConnectionCloses() {
        var owed = makeMachine()
        owed.inputEnded()
        XCTAssertFalse(owed.wantsRequests)
        XCTAssertEqual(owed.peerClosed(pendingOutput: true), .finishWriting)
        XCTAssertTrue(owed.closeAfterWrite)
        XCTAssertEqual(owed.wrote(unsent: 0, progressed: true, now: 1, bufferedInput: false), .finish)
        var done = makeMachine()
        done.inputEnded()
        XCTAssertEqual(done.peerClosed(pendingOutput: false), .close)
    }

    func testKeepAliveOffNeverExpiresAServedIdleConnection() {
        // The response said close; the close itself, not the sweep, ends it.
        var m = makeMachine(now: 0, keepAlive: 0)
        XCTAssertFalse(answer(&m, at: 1 * s))
        XCTAssertNil(m.expiry(now: 1000 * s, silentTimeout: nil))
    }
}
