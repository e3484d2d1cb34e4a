import Foundation
import Posix
import ServerCore
import TestSupport
import XCTest

/// close_notify is sent only for a session that exists: never before the
/// handshake completed, never after a fatal error (OpenSSL forbids it).
final class TLSSessionShutdownTests: XCTestCase {
    static let certificates: Result<TestCertificates, Error> = Result {
        try TestCertificates(directory: NSTemporaryDirectory() + "paddock-tls-session-" + UUID().uuidString)
    }

    private func session() throws -> (TLSSession, server: FileDescriptor, client: FileDescriptor) {
        let c = try Self.certificates.get()
        let context = try TLSServerContext(TLSConfiguration(certfile: c.serverCert, keyfile: c.serverKey))
        let (server, client) = try Socket.pair()
        try server.setNonBlocking()
        return (try TLSSession(context: context, fd: server.rawValue), server, client)
    }

    func testNothingIsSentBeforeTheHandshake() throws {
        let (tls, server, client) = try session()
        defer { server.closeAfterFailure(); client.closeAfterFailure() }
        XCTAssertEqual(tls.handshake(), .wantRead)
        tls.shutdown()
        XCTAssertEqual(try Socket.pendingBytes(client), 0, "no alert for a session that never began")
    }

    func testAPlaintextRequestFailsTheHandshakeAndNothingFollowsTheAlert() throws {
        let (tls, server, client) = try session()
        defer { server.closeAfterFailure(); client.closeAfterFailure() }
        try client.writeAll("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        guard case .failed(let reason) = tls.handshake() else { return XCTFail("plaintext was not refused") }
        XCTAssertTrue(reason.contains("http request"), reason)
        let alert = try Socket.pendingBytes(client)
        tls.shutdown()
        XCTAssertEqual(try Socket.pendingBytes(client), alert, "no close_notify after a fatal error")
        XCTAssertFalse(tls.hasBufferedInput)
    }
}
