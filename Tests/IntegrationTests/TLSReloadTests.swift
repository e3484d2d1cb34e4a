import Foundation
import Glibc
import ServerCore
import TestSupport
import XCTest

/// Certificate renewal as certbot does it: the files are replaced in place
/// and the server gets a HUP. New workers serve the new certificate while
/// clients keep connecting without a failure; a renewal half done (the new
/// certificate with the old key) is refused and the old certificate stays.
/// Certificates are checked from a Python `ssl` client against the test
/// authority, so what is seen is what a client sees.
final class TLSReloadTests: ServerTestCase {
    static let certificates: Result<TestCertificates, Error> = Result {
        try TestCertificates(directory: NSTemporaryDirectory() + "paddock-tls-reload-" + UUID().uuidString)
    }

    private func certificates() throws -> TestCertificates { try Self.certificates.get() }

    /// A server whose certfile and keyfile are copies of the first test certificate, in its own directory.
    private func start(_ c: TestCertificates) throws -> (server: ServerProcess, cert: String, key: String) {
        let dir = try ServerProcess.makeTemporaryDirectory()
        let cert = dir + "/fullchain.pem", key = dir + "/privkey.pem"
        try FileManager.default.copyItem(atPath: c.serverCert, toPath: cert)
        try FileManager.default.copyItem(atPath: c.serverKey, toPath: key)
        let s = try ServerProcess(arguments: [], configText: "app = echo\nworkers = 2\ncertfile = \(cert)\nkeyfile = \(key)\n", directory: dir)
        server = s
        try s.waitReady()
        return (s, cert, key)
    }

    func testRenewedFilesAndHupServeTheNewCertificateWithoutAFailedConnection() throws {
        let c = try certificates()
        let (s, cert, key) = try start(c)
        XCTAssertEqual(try TLSPythonClient.peerSubject(port: s.port, caFile: c.caCert), "CN=localhost")
        let before = s.workerPids()
        let loop = try TLSPythonClient.Loop(port: s.port, caFile: c.caCert, directory: s.directory, maxSeconds: 90)
        XCTAssertTrue(loop.waitForProgress(20), "the TLS client loop did not get going")

        try TestCertificates.replace(key, with: c.renewedKey)
        try TestCertificates.replace(cert, with: c.renewedCert)
        let mark = try s.notificationMark()
        try s.signal(SIGHUP)
        let done = try s.waitForNotification("STATUS=reloaded", after: mark, timeout: 60)
        XCTAssertTrue(done.contains("generation 2"), done)
        let during = loop.succeededSoFar
        XCTAssertTrue(loop.waitForProgress(during + 20), "no connection succeeded after the reload")
        let result = loop.stop()
        XCTAssertEqual(result.failures, [], "failed TLS connections during the reload (\(result.succeeded) succeeded)")
        XCTAssertGreaterThan(result.succeeded, 40)

        XCTAssertEqual(try TLSPythonClient.peerSubject(port: s.port, caFile: c.caCert), "CN=localhost, O=Renewed")
        XCTAssertTrue(Set(s.workerPids().values).isDisjoint(with: Set(before.values)), "an old worker still serves")
    }

    func testHupWithAMismatchedKeyKeepsServingTheOldCertificate() throws {
        let c = try certificates()
        let (s, cert, key) = try start(c)
        let before = s.workerPids()
        try TestCertificates.replace(cert, with: c.renewedCert)
        let mark = try s.notificationMark()
        try s.signal(SIGHUP)
        let status = try s.waitForNotification("READY=1", after: mark, timeout: 20)
        XCTAssertTrue(status.contains("reload failed"), status)
        let errors = s.unexpectedErrorLines()
        XCTAssertEqual(errors.count, 1, "\(errors)")
        XCTAssertTrue(errors.first?.contains("reload failed, keeping the running configuration: \(s.directory)/server.conf:4: keyfile \(key): ") == true,
                      "\(errors)")
        XCTAssertEqual(s.workerPids(), before, "workers were replaced after a bad reload")
        for _ in 0..<3 { XCTAssertEqual(try TLSPythonClient.peerSubject(port: s.port, caFile: c.caCert), "CN=localhost") }
        s.stopGracefully()
        XCTAssertEqual(s.unexpectedErrorLines(allowing: ["reload failed, keeping the running configuration"]), [])
        server = nil
    }
}
