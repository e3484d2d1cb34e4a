import Foundation
import Posix
import TestSupport
import XCTest
@testable import ServerCore

/// What the master checks of the TLS files before workers load them: the
/// errors name the source, the key, the file and OpenSSL's reason; relative
/// paths are found under `$CREDENTIALS_DIRECTORY`; certificates that expire
/// soon are warned about.
final class TLSCheckTests: XCTestCase {
    static let certificates: Result<TestCertificates, Error> = Result {
        let c = try TestCertificates(directory: NSTemporaryDirectory() + "paddock-tls-check-" + UUID().uuidString)
        try c.issueServerCertificate(name: "one-day", days: 1)
        try c.issueServerCertificate(name: "expired", days: -1)
        return c
    }

    private func certificates() throws -> TestCertificates { try Self.certificates.get() }

    private func config(_ text: String) throws -> Configuration { try ConfigLoader.parse(text: text, path: "server.conf") }

    private var now: Int64 { Clock.realtime().seconds }

    func testCertificatesAreReadWithSubjectAndEndOfValidity() throws {
        let c = try certificates()
        let renewed = try TLSCertificate.load(c.renewedCert)
        XCTAssertEqual(renewed.count, 1)
        XCTAssertEqual(renewed[0].subject, "/CN=localhost/O=Renewed")
        let days = Double(renewed[0].notAfter - now) / 86_400
        XCTAssertEqual(days, Double(TestCertificates.validDays), accuracy: 0.1)
        XCTAssertThrowsError(try TLSCertificate.load(c.serverKey)) { XCTAssertTrue("\($0)".hasPrefix("\(c.serverKey): "), "\($0)") }
    }

    func testACertificateValidForOneDayIsWarnedAbout() throws {
        let c = try certificates()
        let cert = try TLSCertificate.load(c.directory + "/one-day.pem")[0]
        let warning = try XCTUnwrap(cert.expiryWarning(file: "certfile one-day.pem", now: now))
        // Issued for one day a moment ago: "in 1 day" or, a second later, "in less than a day".
        XCTAssertTrue(warning.hasPrefix("certfile one-day.pem: certificate /CN=localhost expires in "), warning)
        XCTAssertTrue(warning.contains(" day ("), warning)
        XCTAssertTrue(warning.contains(cert.notAfterText), warning)
        // The same certificate, seen from earlier and later on a manual clock.
        XCTAssertNil(cert.expiryWarning(file: "f", now: cert.notAfter - 15 * 86_400))
        XCTAssertEqual(cert.expiryWarning(file: "f", now: cert.notAfter - 14 * 86_400)?.contains("expires in 14 days"), true)
        XCTAssertEqual(cert.expiryWarning(file: "f", now: cert.notAfter - 86_400 - 5)?.contains("expires in 1 day ("), true)
        XCTAssertEqual(cert.expiryWarning(file: "f", now: cert.notAfter - 60)?.contains("expires in less than a day"), true)
        XCTAssertEqual(cert.expiryWarning(file: "f", now: cert.notAfter)?.contains("expired on"), true)
        // A certificate valid for longer than the warning's 14 days.
        XCTAssertNil(try TLSCertificate.load(c.serverCert)[0].expiryWarning(file: "f", now: now))
    }

    func testAnExpiredCertificateIsWarnedAbout() throws {
        let c = try certificates()
        let path = c.directory + "/expired.pem"
        let warnings = TLSCheck.expiryWarnings(try TLSCertificate.load(path), certfile: path, now: now)
        XCTAssertEqual(warnings.count, 1, "\(warnings)")
        XCTAssertTrue(warnings[0].hasPrefix("certfile \(path): certificate /CN=localhost expired on 20"), "\(warnings)")
        XCTAssertEqual(TLSCertificate(subject: "s", notAfter: 0).notAfterText, "1970-01-01 00:00:00 UTC")
    }

    func testEachBadFileIsAnErrorNamingSourceKeyFileAndReason() throws {
        let c = try certificates()
        XCTAssertEqual(try TLSCheck.run(config("")), [])
        XCTAssertEqual(try TLSCheck.run(config("certfile = \(c.serverCert)\nkeyfile = \(c.serverKey)\n")).map(\.subject), ["/CN=localhost"])
        let cases: [(text: String, prefix: String, reason: String)] = [
            ("certfile = \(c.directory)/missing.pem\nkeyfile = \(c.serverKey)\n", "server.conf:1: certfile \(c.directory)/missing.pem: cannot read: open(", "No such file or directory"),
            ("certfile = \(c.serverKey)\nkeyfile = \(c.serverKey)\n", "server.conf:1: certfile \(c.serverKey)", "no start line"),
            ("certfile = \(c.renewedCert)\nkeyfile = \(c.serverKey)\n", "server.conf:2: keyfile \(c.serverKey)", "key values mismatch (not the key of certfile \(c.renewedCert))"),
            ("certfile = \(c.serverCert)\nkeyfile = \(c.serverKey)\nca_certs = \(c.directory)/server.ext\n", "server.conf:3: ca_certs \(c.directory)/server.ext", "no certificate or crl found"),
            ("certfile = \(c.serverCert)\nkeyfile = \(c.serverKey)\nciphers = NOT-A-CIPHER\n", "server.conf:3: ciphers NOT-A-CIPHER", "no cipher match"),
        ]
        for (text, prefix, reason) in cases {
            XCTAssertThrowsError(try TLSCheck.run(config(text)), text) { error in
                XCTAssertTrue("\(error)".hasPrefix(prefix), "\(error)")
                XCTAssertTrue("\(error)".contains(reason), "\(error)")
            }
        }
    }

    func testRelativePathsAreLookedUpInTheCredentialsDirectory() throws {
        let c = try certificates()
        let base = try config("certfile = server.pem\nkeyfile = server.key\nca_certs = /etc/ssl/ca.pem\n")
        var resolved = base
        TLSCheck.resolvePaths(in: &resolved, environment: ["CREDENTIALS_DIRECTORY": c.directory])
        XCTAssertEqual(resolved[Settings.certfile], c.serverCert)
        XCTAssertEqual(resolved[Settings.keyfile], c.serverKey)
        XCTAssertEqual(resolved[Settings.caCerts], "/etc/ssl/ca.pem", "an absolute path is used as it is")
        XCTAssertEqual(resolved.source(of: Settings.keyfile.key), .file(path: "server.conf", line: 2), "messages still name where it was set")
        XCTAssertEqual(try TLSCheck.run(resolved.withoutCA()).count, 1)
        var unresolved = base
        TLSCheck.resolvePaths(in: &unresolved, environment: [:])
        XCTAssertEqual(unresolved[Settings.certfile], "server.pem", "without systemd's variable, relative to the working directory")
    }

    func testSslKtlsAsksForKernelTLS() throws {
        let files = "certfile = a.pem\nkeyfile = a.key\n"
        XCTAssertEqual(try TLSConfiguration(config(files))?.kernelTLS, false)
        XCTAssertEqual(try TLSConfiguration(config(files + "ssl_ktls = true\n"))?.kernelTLS, true)
        let loaded = try ConfigLoader.load(arguments: ["--certfile", "a.pem", "--keyfile", "a.key", "--ssl-ktls"], environment: [:],
                                           defaultConfigPath: "/nonexistent/server.conf", defaultEnvFilePath: "/nonexistent/.env")
        XCTAssertEqual(try TLSConfiguration(loaded.configuration)?.kernelTLS, true)
    }

    func testKernelTLSStatusSaysWhetherItCanTakeEffect() {
        XCTAssertTrue(KernelTLS.statusLine(ulps: "mptcp tls\n", openSSLBuilt: true).contains("records are encrypted by the kernel"))
        let noModule = KernelTLS.statusLine(ulps: "mptcp\n", openSSLBuilt: true)
        XCTAssertTrue(noModule.hasPrefix("ssl_ktls: no effect: the kernel has no tls ULP (tcp_available_ulp: mptcp; modprobe tls)"), noModule)
        XCTAssertTrue(KernelTLS.statusLine(ulps: "tls", openSSLBuilt: false).contains("OpenSSL was built without kTLS"))
        XCTAssertTrue(KernelTLS.statusLine(ulps: nil, openSSLBuilt: false).contains("\(KernelTLS.ulpListPath) unreadable"))
    }
}

private extension Configuration {
    func withoutCA() -> Configuration {
        var copy = self
        copy.set(Settings.caCerts, "", from: .defaultValue)
        return copy
    }
}
