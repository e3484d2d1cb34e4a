import Posix
import ServerCore
import XCTest
@testable import Worker

/// How socket results and TLS steps map to what the event loop does, and
/// which epoll events a connection with a blocked TLS step registers.
final class ConnectionTransportTests: XCTestCase {
    func testTLSStepsMapToWhatTheLoopWaitsFor() {
        XCTAssertEqual(ConnectionTransport.outcome(of: TLSSession.Step.done(512)), .moved(512))
        XCTAssertEqual(ConnectionTransport.outcome(of: TLSSession.Step.wantRead), .wait(.readable))
        XCTAssertEqual(ConnectionTransport.outcome(of: TLSSession.Step.wantWrite), .wait(.writable))
        XCTAssertEqual(ConnectionTransport.outcome(of: TLSSession.Step.closed), .ended)
        XCTAssertEqual(ConnectionTransport.outcome(of: TLSSession.Step.failed("http request")), .failed("http request"))
    }

    func testSocketResultsMapTheSameWay() {
        XCTAssertEqual(ConnectionTransport.outcome(of: IOResult<Int>.wouldBlock, blocked: .readable), .wait(.readable))
        XCTAssertEqual(ConnectionTransport.outcome(of: IOResult<Int>.wouldBlock, blocked: .writable), .wait(.writable))
        XCTAssertEqual(ConnectionTransport.outcome(of: IOResult<Int>.done(0), blocked: .readable), .ended, "a read of 0 is EOF")
        XCTAssertEqual(ConnectionTransport.outcome(of: IOResult<Int>.done(0), blocked: .writable), .moved(0), "a write of 0 is not")
        XCTAssertEqual(ConnectionTransport.outcome(of: IOResult<Int>.done(7), blocked: .readable), .moved(7))
    }

    func testAPlainTransportHasNoHandshakeAndHoldsNothing() {
        let t = ConnectionTransport.plain
        XCTAssertFalse(t.needsHandshake)
        XCTAssertFalse(t.isTLS)
        XCTAssertFalse(t.hasBufferedInput)
        XCTAssertEqual(t.handshake(), .moved(0))
    }

    func testWithNothingBlockedTheInterestIsTheRequestCycles() {
        let w = ConnectionTransport.Waits()
        XCTAssertEqual(w.interest(wantsInput: true, outputWaits: false), Epoll.readable | Epoll.peerClosed)
        XCTAssertEqual(w.interest(wantsInput: true, outputWaits: true), Epoll.readable | Epoll.peerClosed | Epoll.writable)
        XCTAssertEqual(w.interest(wantsInput: false, outputWaits: true), Epoll.writable)
        XCTAssertEqual(w.interest(wantsInput: false, outputWaits: false), 0)
    }

    func testAReadThatWantsToWriteWaitsForOutputEvenWhenNothingIsUnsent() {
        var w = ConnectionTransport.Waits()
        w.afterRead(.wait(.writable))
        XCTAssertTrue(w.readNeedsWritable)
        XCTAssertEqual(w.interest(wantsInput: true, outputWaits: false), Epoll.readable | Epoll.peerClosed | Epoll.writable)
        w.afterRead(.moved(10))
        XCTAssertFalse(w.readNeedsWritable, "the next read step clears it")
        XCTAssertEqual(w.interest(wantsInput: true, outputWaits: false), Epoll.readable | Epoll.peerClosed)
    }

    func testAWriteThatWantsToReadWaitsForInputAndNotForOutput() {
        var w = ConnectionTransport.Waits()
        w.afterWrite(.wait(.readable))
        XCTAssertTrue(w.writeNeedsReadable)
        // Paused input, output waiting: readable only, or level-triggered epoll would spin on a writable socket.
        XCTAssertEqual(w.interest(wantsInput: false, outputWaits: true), Epoll.readable | Epoll.peerClosed)
        w.afterWrite(.wait(.writable))
        XCTAssertFalse(w.writeNeedsReadable)
        XCTAssertEqual(w.interest(wantsInput: false, outputWaits: true), Epoll.writable)
    }
}
