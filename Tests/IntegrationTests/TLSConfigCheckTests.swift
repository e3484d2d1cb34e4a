import Foundation
import Glibc
import Posix
import ServerCore
import TestSupport
import XCTest

/// The master checks the TLS files wherever it reads the configuration: a
/// bad one stops the start and fails `--check-config` naming the key, the
/// file and OpenSSL's reason, and a HUP with one keeps the workers; a
/// certificate that expires soon is warned about; relative paths are found
/// in systemd's credentials directory. None of this needs a handshake.
final class TLSConfigCheckTests: ServerTestCase {
    static let certificates: Result<TestCertificates, Error> = Result {
        let c = try TestCertificates(directory: NSTemporaryDirectory() + "paddock-tls-config-" + UUID().uuidString)
        try c.issueServerCertificate(name: "one-day", days: 1)
        return c
    }

    private func certificates() throws -> TestCertificates { try Self.certificates.get() }

    private let fatal = ExitStatus.exited(WorkerExitCode.fatalConfig.rawValue)

    func testStartWithABadFileIsRefusedNamingTheKeyTheFileAndTheReason() throws {
        let c = try certificates()
        let dir = try ServerProcess.makeTemporaryDirectory()
        defer { ServerProcess.removeTemporaryDirectory(dir) }
        let serve = ["--app", "echo", "--workers", "1", "--bind", "unix:\(dir)/paddock.sock"]
        let mismatched = try ServerProcess.run(serve + ["--certfile", c.serverCert, "--keyfile", c.unrelatedKey], timeout: 20)
        XCTAssertEqual(mismatched.status, fatal, mismatched.stderr)
        XCTAssertTrue(mismatched.stderr.hasPrefix("paddock: command line --keyfile: keyfile \(c.unrelatedKey): "), mismatched.stderr)
        XCTAssertTrue(mismatched.stderr.contains("key values mismatch"), mismatched.stderr)

        let missing = try ServerProcess.run(serve + ["--certfile", c.directory + "/none.pem", "--keyfile", c.serverKey], timeout: 20)
        XCTAssertEqual(missing.status, fatal, missing.stderr)
        XCTAssertTrue(missing.stderr.contains("command line --certfile: certfile \(c.directory)/none.pem: cannot read: open("), missing.stderr)

        let ciphers = try ServerProcess.run(serve + ["--certfile", c.serverCert, "--keyfile", c.serverKey, "--ciphers", "NOT-A-CIPHER"], timeout: 20)
        XCTAssertEqual(ciphers.status, fatal, ciphers.stderr)
        XCTAssertTrue(ciphers.stderr.contains("command line --ciphers: ciphers NOT-A-CIPHER: no cipher match"), ciphers.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/paddock.sock"), "the server started listening")
    }

    func testCheckConfigListsEachCertificateAndRefusesBadFiles() throws {
        let c = try certificates()
        let dir = try ServerProcess.makeTemporaryDirectory()
        defer { ServerProcess.removeTemporaryDirectory(dir) }
        try "certfile = \(c.serverCert)\nkeyfile = \(c.serverKey)\nca_certs = \(c.caCert)\ncert_reqs = optional\n"
            .write(toFile: dir + "/server.conf", atomically: true, encoding: .utf8)
        let ok = try ServerProcess.run(["--config", "server.conf", "--check-config"], directory: dir)
        XCTAssertEqual(ok.status, .exited(0), ok.stderr)
        XCTAssertEqual(ok.stderr, "", "a certificate valid for \(TestCertificates.validDays) days is not warned about")
        let lines = ok.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, ok.stdout)
        guard lines.count == 2 else { return }
        XCTAssertTrue(lines[0].hasPrefix("certfile \(c.serverCert): /CN=localhost, valid until 20"), ok.stdout)
        XCTAssertTrue(lines[0].hasSuffix(" UTC"), ok.stdout)
        XCTAssertTrue(lines[1].hasPrefix("configuration OK"), ok.stdout)

        // The classic half-finished renewal: the new certificate, the old key.
        try "certfile = \(c.renewedCert)\nkeyfile = \(c.serverKey)\n".write(toFile: dir + "/server.conf", atomically: true, encoding: .utf8)
        let mismatched = try ServerProcess.run(["--config", "server.conf", "--check-config"], directory: dir)
        XCTAssertEqual(mismatched.status, fatal, mismatched.stderr)
        XCTAssertEqual(mismatched.stdout, "")
        XCTAssertTrue(mismatched.stderr.hasPrefix("paddock: server.conf:2: keyfile \(c.serverKey): "), mismatched.stderr)
        XCTAssertTrue(mismatched.stderr.contains("key values mismatch"), mismatched.stderr)

        let notPEM = try ServerProcess.run(["--check-config", "--certfile", c.serverCert, "--keyfile", c.serverKey,
                                            "--ca-certs", c.directory + "/server.ext", "--cert-reqs", "required"])
        XCTAssertEqual(notPEM.status, fatal, notPEM.stderr)
        XCTAssertTrue(notPEM.stderr.contains("command line --ca-certs: ca_certs \(c.directory)/server.ext: no certificate or crl found"),
                      notPEM.stderr)
    }

    func testACertificateThatExpiresSoonIsWarnedAboutByCheckConfigAndAtStart() throws {
        let c = try certificates()
        let cert = c.directory + "/one-day.pem", key = c.directory + "/one-day.key"
        let check = try ServerProcess.run(["--check-config", "--certfile", cert, "--keyfile", key])
        XCTAssertEqual(check.status, .exited(0), check.stderr)
        XCTAssertTrue(check.stderr.hasPrefix("paddock: warning: certfile \(cert): certificate /CN=localhost expires in "), check.stderr)
        XCTAssertTrue(check.stdout.contains("configuration OK"), check.stdout)

        let s = try ServerProcess(arguments: ["--app", "echo", "--workers", "1", "--certfile", cert, "--keyfile", key])
        try s.waitReady()
        s.stopGracefully()
        let warnings = s.unexpectedErrorLines()
        XCTAssertEqual(warnings.count, 1, "\(warnings)")
        XCTAssertTrue(warnings.first?.contains(" warning ") == true && warnings.first?.contains("certfile \(cert): certificate /CN=localhost expires in ") == true,
                      "\(warnings)")
    }

    /// A renewal that brought a certificate about to expire: the reload
    /// goes ahead, with a warning.
    func testAHupWithACertificateThatExpiresSoonWarns() throws {
        let c = try certificates()
        let dir = try ServerProcess.makeTemporaryDirectory()
        let cert = dir + "/cert.pem", key = dir + "/key.pem"
        try FileManager.default.copyItem(atPath: c.serverCert, toPath: cert)
        try FileManager.default.copyItem(atPath: c.serverKey, toPath: key)
        let s = try ServerProcess(arguments: [], configText: "app = echo\nworkers = 1\ncertfile = \(cert)\nkeyfile = \(key)\n", directory: dir)
        server = s
        try s.waitReady()
        XCTAssertEqual(s.unexpectedErrorLines(), [])
        try TestCertificates.replace(key, with: c.directory + "/one-day.key")
        try TestCertificates.replace(cert, with: c.directory + "/one-day.pem")
        let mark = try s.notificationMark()
        try s.signal(SIGHUP)
        let done = try s.waitForNotification("STATUS=reloaded", after: mark, timeout: 30)
        XCTAssertTrue(done.contains("generation 2"), done)
        s.stopGracefully()
        let warnings = s.unexpectedErrorLines()
        XCTAssertEqual(warnings.count, 1, "\(warnings)")
        XCTAssertTrue(warnings.first?.contains(" warning ") == true && warnings.first?.contains("certfile \(cert): certificate /CN=localhost expires in ") == true,
                      "\(warnings)")
        server = nil
    }

    /// systemd's `LoadCredential=tls.crt:/etc/letsencrypt/live/.../fullchain.pem`:
    /// a relative path is the credential's name.
    func testRelativeFilesAreFoundInTheCredentialsDirectory() throws {
        let c = try certificates()
        let names = ["--certfile", "server.pem", "--keyfile", "server.key"]
        let found = try ServerProcess.run(["--check-config"] + names, environment: ["CREDENTIALS_DIRECTORY": c.directory])
        XCTAssertEqual(found.status, .exited(0), found.stderr)
        XCTAssertTrue(found.stdout.hasPrefix("certfile \(c.directory)/server.pem: /CN=localhost"), found.stdout)
        let without = try ServerProcess.run(["--check-config"] + names)
        XCTAssertEqual(without.status, fatal, without.stderr)
        XCTAssertTrue(without.stderr.contains("certfile server.pem: cannot read"), without.stderr)

        let s = try ServerProcess(arguments: ["--app", "echo", "--workers", "1", "--loglevel", "debug"] + names,
                                  environment: ["CREDENTIALS_DIRECTORY": c.directory])
        server = s
        try s.waitReady()
    }

    /// `ssl_ktls`: the master says at debug level whether it can take effect here.
    func testKernelTLSSaysWhetherItTakesEffect() throws {
        let c = try certificates()
        let s = try ServerProcess(arguments: ["--app", "echo", "--workers", "1", "--loglevel", "debug", "--ssl-ktls",
                                              "--certfile", c.serverCert, "--keyfile", c.serverKey])
        server = s
        try s.waitReady()
        let line = try s.waitForLogLine(containing: "ssl_ktls: ")
        XCTAssertTrue(line.contains(" debug "), line)
        XCTAssertTrue(line.contains("the kernel has the tls ULP") || line.contains("no effect"), line)
    }

    /// A HUP after a half-finished renewal (new certificate, old key): one
    /// error naming the key file, no rollout; once the key is in place, the
    /// next HUP rolls out.
    func testHupWithAMismatchedKeyKeepsTheWorkers() throws {
        let c = try certificates()
        let dir = try ServerProcess.makeTemporaryDirectory()
        let cert = dir + "/cert.pem", key = dir + "/key.pem"
        try FileManager.default.copyItem(atPath: c.serverCert, toPath: cert)
        try FileManager.default.copyItem(atPath: c.serverKey, toPath: key)
        let s = try ServerProcess(arguments: [], configText: "app = echo\nworkers = 2\ncertfile = \(cert)\nkeyfile = \(key)\n", directory: dir)
        server = s
        try s.waitReady()
        let before = s.workerPids()
        XCTAssertEqual(before.count, 2)
        try TestCertificates.replace(cert, with: c.renewedCert)
        let mark = try s.notificationMark()
        try s.signal(SIGHUP)
        let line = try s.waitForLogLine(containing: "reload failed, keeping the running configuration")
        XCTAssertTrue(line.contains(" error "), line)
        XCTAssertTrue(line.contains("server.conf:4: keyfile \(key): "), line)
        let status = try s.waitForNotification("READY=1", after: mark, timeout: 10)
        XCTAssertTrue(status.contains("reload failed"), status)
        XCTAssertEqual(s.workerPids(), before, "workers were replaced after a bad reload")
        for pid in before.values { XCTAssertFalse(processHasExited(pid), "worker \(pid) stopped") }
        XCTAssertFalse(s.errorLog().contains("rolling out"), s.errorLog())
        XCTAssertEqual(s.unexpectedErrorLines().count, 1, "\(s.unexpectedErrorLines())")

        try TestCertificates.replace(key, with: c.renewedKey)
        let next = try s.notificationMark()
        try s.signal(SIGHUP)
        let done = try s.waitForNotification("STATUS=reloaded", after: next, timeout: 30)
        XCTAssertTrue(done.contains("generation 2"), done)
        s.stopGracefully()
        XCTAssertEqual(s.unexpectedErrorLines(allowing: ["reload failed, keeping the running configuration: \(dir)/server.conf:4: keyfile"]), [])
        server = nil
    }
}
