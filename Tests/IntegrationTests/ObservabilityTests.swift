import Foundation
import Glibc
import Posix
import ServerCore
import TestSupport
import XCTest

/// What operators read, against the real binary: the client address behind
/// proxies trusted by range, an access log without health-check noise,
/// error-log priorities for journald, and `--version` / `--help`.
final class ObservabilityTests: XCTestCase {
    private var servers: [ServerProcess] = []

    override func tearDown() {
        for server in servers {
            server.stopGracefully()
            XCTAssertEqual(server.unexpectedErrorLines(), [], "unexpected error lines in the server log")
        }
        servers = []
        super.tearDown()
    }

    /// The echo application with one worker and an access log of `format`.
    private func startEcho(_ settings: String, format: String = "%(h)s %(U)s") throws -> ServerProcess {
        let dir = try ServerProcess.makeTemporaryDirectory()
        let config = "app = echo\nworkers = 1\naccesslog = \(dir)/access.log\naccess_log_format = \(format)\n\(settings)\n"
        let server = try ServerProcess(arguments: [], configText: config, directory: dir)
        servers.append(server)
        try server.waitReady()
        return server
    }

    private func accessLog(_ server: ServerProcess) -> [String] {
        let text = (try? String(contentsOfFile: server.directory + "/access.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    func testForwardedAddressIsLoggedOnlyFromATrustedRange() throws {
        for (allowed, expected) in [("127.0.0.0/8", "203.0.113.50 /echo"), ("10.0.0.0/8", "127.0.0.1 /echo")] {
            let server = try startEcho("forwarded_allow_ips = \(allowed)")
            let client = try HTTPTestClient(port: server.port)
            XCTAssertEqual(try client.request("GET", "/echo?who", headers: [("X-Forwarded-For", "203.0.113.50")]).status, 200)
            XCTAssertTrue(server.waitForAccessLog(containing: " /echo", atLeast: 1, timeout: 10), allowed)
            XCTAssertEqual(accessLog(server), [expected], "forwarded_allow_ips = \(allowed)")
        }
    }

    func testExcludedPathsStayOutOfTheAccessLog() throws {
        let server = try startEcho("access_log_exclude = /health, /metrics\nadmin_bind = unix:admin.sock", format: "%(U)s")
        let client = try HTTPTestClient(port: server.port)
        let targets = ["/health", "/metrics", "/health?probe=lb", "/api/items?page=2"]
        for target in targets {
            _ = try client.request("GET", target)
        }
        // One connection, one worker: the API line is written after the others would have been.
        XCTAssertTrue(server.waitForAccessLog(containing: "/api/items", atLeast: 1, timeout: 10))
        XCTAssertEqual(accessLog(server), ["/api/items"])
        // Left out of the log, not out of the metrics.
        let metrics = try HTTPTestClient(unixPath: server.directory + "/admin.sock").request("GET", "/metrics")
        let counted = metrics.bodyText.split(separator: "\n").filter { $0.hasPrefix("paddock_requests_total{") }
            .reduce(0) { $0 + (Int($1.split(separator: " ").last ?? "") ?? -1000) }
        XCTAssertEqual(counted, targets.count, metrics.bodyText)
    }

    /// Starts the server with standard error sent to `stderr.log` (through a
    /// wrapper that execs in place, so the pid stays the one systemd would
    /// see) and `JOURNAL_STREAM` from `journalStream(device, inode)`; returns
    /// that file's lines once the server has stopped.
    private func stderrLines(journalStream: (FileStatus) -> String) throws -> [String] {
        let dir = try ServerProcess.makeTemporaryDirectory()
        let stderrPath = dir + "/stderr.log"
        XCTAssertTrue(FileManager.default.createFile(atPath: stderrPath, contents: nil))
        let wrapper = dir + "/paddock-wrapper"
        try "#!/bin/sh\nexec '\(ServerProcess.paddockBinary)' \"$@\" 2>>'\(stderrPath)'\n".write(toFile: wrapper, atomically: true, encoding: .utf8)
        XCTAssertEqual(chmod(wrapper, 0o755), 0)
        let status = try XCTUnwrap(try Files.status(stderrPath))
        let server = try ServerProcess(arguments: ["--app", "echo", "--workers", "1", "--error-logfile", "-"],
                                       environment: ["JOURNAL_STREAM": journalStream(status)], directory: dir, binary: wrapper)
        try server.waitReady()
        server.stopGracefully()
        XCTAssertNotNil(server.exitStatus)
        let lines = try String(contentsOfFile: stderrPath, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertFalse(lines.isEmpty, "the server wrote nothing to standard error")
        return lines
    }

    func testStandardErrorThatIsTheJournalGetsPrioritiesAndNoTimestamps() throws {
        let lines = try stderrLines { "\($0.device):\($0.inode)" }
        for line in lines {
            XCTAssertTrue(line.range(of: #"^<[2-7]>(debug|info|warning|error|critical) pid=\d+ slot="#, options: .regularExpression) != nil, line)
        }
        XCTAssertTrue(lines.contains { $0.hasPrefix("<6>info ") && $0.contains("slot=-") }, "no master info line: \(lines)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("<6>info ") && $0.contains("slot=0") }, "no worker info line: \(lines)")
        XCTAssertFalse(lines.contains { $0.contains(" error ") || $0.hasPrefix("<3>") }, "\(lines)")
    }

    func testJournalStreamNamingAnotherFileLeavesLinesAlone() throws {
        let lines = try stderrLines { "\($0.device):\($0.inode + 1)" }
        for line in lines {
            XCTAssertTrue(line.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (debug|info|warning) pid="#, options: .regularExpression) != nil, line)
        }
    }

    func testVersionNamesCommitSwiftAndLibraries() throws {
        let run = try ServerProcess.run(["--version"])
        XCTAssertEqual(run.status, .exited(0), run.stderr)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        let patterns = [#"^paddock \d+\.\d+\.\d+$"#, #"^commit \S+$"#, #"^swift \d+\.\d+"#, #"^openssl OpenSSL \d+\.\d+\.\d+"#,
                        #"^libpq \d+\.\d+(\.\d+)?$"#, #"^sqlite 3\.\d+\.\d+$"#]
        XCTAssertEqual(lines.count, patterns.count, run.stdout)
        for (line, pattern) in zip(lines, patterns) {
            XCTAssertNotNil(line.range(of: pattern, options: .regularExpression), "\(line) !~ \(pattern)")
        }
    }

    func testHelpListsTheCommandsAndTheSettings() throws {
        let run = try ServerProcess.run(["--help"])
        XCTAssertEqual(run.status, .exited(0), run.stderr)
        for text in ["\nCommands:\n", "\n  healthcheck\n", "\n  migrate\n", "\n  seed\n", "--check-config", "[forwarded_allow_ips]",
                     "[access_log_exclude]"] {
            XCTAssertTrue(run.stdout.contains(text), "--help lacks \(text)")
        }
    }
}
