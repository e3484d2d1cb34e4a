import Foundation
import Glibc
import Posix
import ServerCore
import TestSupport
import XCTest

/// The real binaries: start, serve, supervise, stop. Every test fails on an
/// unexpected warning or error line in the server's log.
final class ServerLifecycleTests: XCTestCase {
    var server: ServerProcess?
    var allowedLogLines: [String] = []

    override func tearDown() {
        if let server {
            server.stopGracefully()
            let bad = server.unexpectedErrorLines(allowing: allowedLogLines)
            XCTAssertEqual(bad, [], "unexpected error lines in the server log")
        }
        server = nil
        allowedLogLines = []
        super.tearDown()
    }

    func start(_ args: [String] = [], workers: Int = 2) throws -> ServerProcess {
        let s = try ServerProcess(arguments: ["--app", "echo", "--workers", "\(workers)"] + args)
        server = s
        try s.waitReady()
        return s
    }

    func testStartsReadyAndServesHealthAndEcho() throws {
        let s = try start()
        let c = try HTTPTestClient(port: s.port)
        let health = try c.request("GET", "/health")
        XCTAssertEqual(health.status, 200)
        XCTAssertEqual(health.bodyText, #"{"status":"healthy"}"#)
        XCTAssertNotNil(health.header("Date"))
        let body = Array("hello paddock".utf8)
        let echo = try c.request("POST", "/echo?a=1&b=2", headers: [("X-Test", "yes")], body: body)
        XCTAssertEqual(echo.status, 200)
        let json = try XCTUnwrap(echo.json)
        XCTAssertEqual(json["method"] as? String, "POST")
        XCTAssertEqual(json["path"] as? String, "/echo")
        XCTAssertEqual(json["query"] as? String, "a=1&b=2")
        XCTAssertEqual(json["body_length"] as? Int, body.count)
        // SHA-256 of "hello paddock", computed independently with sha256sum.
        XCTAssertEqual(json["body_sha256"] as? String, "5e7620cf1442ce8bc331333f3788a7eac62d3ba6ee7332c9488e05ad4a993723")
        XCTAssertEqual((json["headers"] as? [String: String])?["x-test"], "yes")
        let missing = try c.request("GET", "/nope")
        XCTAssertEqual(missing.status, 404)
    }

    /// Workers load GnuTLS (libpq -> libldap -> GnuTLS) but never use it; the
    /// worker binary exports GnuTLS's documented skip hook so the library's
    /// constructor does not initialise it in every worker.
    func testWorkersSkipGnuTLSImplicitInitialisation() throws {
        let s = try start(["--log-level", "debug"], workers: 1)
        XCTAssertTrue(s.errorLog().contains("GnuTLS (loaded for libpq's LDAP support) skipped its implicit initialisation"), s.errorLog())
    }

    /// A proxy's X-Request-ID comes back on the response; with the access
    /// log on a request without one gets a fresh id, with it off none is made up.
    func testRequestIDIsEchoedAndGeneratedOnlyForTheAccessLog() throws {
        let s = try start()
        let c = try HTTPTestClient(port: s.port)
        XCTAssertEqual(try c.request("GET", "/echo", headers: [("X-Request-ID", "proxy-42")]).header("X-Request-ID"), "proxy-42")
        XCTAssertNil(try c.request("GET", "/echo").header("X-Request-ID"))
        XCTAssertNil(try c.request("GET", "/echo", headers: [("X-Request-ID", "has space")]).header("X-Request-ID"))
        server?.stopGracefully()
        server = nil

        let logged = try start(["--access-logfile", "access.log"])
        let d = try HTTPTestClient(port: logged.port)
        XCTAssertEqual(try d.request("GET", "/echo", headers: [("X-Request-ID", "proxy-43")]).header("X-Request-ID"), "proxy-43")
        let made = try XCTUnwrap(try d.request("GET", "/echo").header("X-Request-ID"))
        XCTAssertEqual(made.count, 32)
        XCTAssertTrue(made.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }, made)
    }

    func testKeepAliveAndPipelinedResponsesInOrder() throws {
        let s = try start()
        let c = try HTTPTestClient(port: s.port)
        var batch = ""
        for i in 1...5 { batch += "GET /echo?n=\(i) HTTP/1.1\r\nHost: x\r\n\r\n" }
        try c.send(batch)
        for i in 1...5 {
            let r = try c.readResponse()
            XCTAssertEqual(r.status, 200)
            XCTAssertEqual(r.json?["query"] as? String, "n=\(i)")
            XCTAssertNil(r.header("Connection"))
        }
        // Still open afterwards (keep-alive).
        XCTAssertEqual(try c.request("GET", "/health").status, 200)
        let last = try c.request("GET", "/health", close: true)
        XCTAssertEqual(last.header("Connection"), "close")
        XCTAssertTrue(try c.isClosedByPeer())
    }

    func testMalformedRequestGets400AndNothingAfterItIsProcessed() throws {
        let s = try start()
        let c = try HTTPTestClient(port: s.port)
        try c.send("GET /echo HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\nGET /echo?smuggled=1 HTTP/1.1\r\nHost: x\r\n\r\n")
        let r = try c.readResponse()
        XCTAssertEqual(r.status, 400)
        XCTAssertEqual(r.header("Connection"), "close")
        let rest = try c.readUntilClosed()
        XCTAssertFalse(String(decoding: rest, as: UTF8.self).contains("HTTP/1.1"), "a request after a bad one was answered")
    }

    func testKilledWorkerIsReplacedInSameSlot() throws {
        let s = try start(workers: 2)
        allowedLogLines = ["worker died slot=0"]
        let before = s.workerPids()
        let victim = try XCTUnwrap(before[0])
        try Process.kill(victim, SIGKILL)
        try s.waitForLog { _ in
            if let p = s.workerPids()[0], p != victim { return true }
            return false
        }
        let replacement = try XCTUnwrap(s.workerPids()[0])
        XCTAssertNotEqual(replacement, victim)
        XCTAssertEqual(s.workerPids()[1], before[1], "the other worker was not touched")
        XCTAssertTrue(s.errorLog().contains("worker died slot=0 pid=\(victim)"))
        for _ in 0..<10 { XCTAssertEqual(try HTTPTestClient(port: s.port).request("GET", "/health").status, 200) }
    }

    func testTermLetsInFlightRequestCompleteThenExits() throws {
        let s = try start(workers: 1)
        let c = try HTTPTestClient(port: s.port)
        try c.send("GET /echo?sleep_ms=1500 HTTP/1.1\r\nHost: x\r\n\r\n")
        // Give the worker time to pick the request up; the assertion below
        // holds either way because draining serves what was already queued.
        Clock.sleep(milliseconds: 300)
        try s.signal(SIGTERM)
        let r = try c.readResponse()
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.header("Connection"), "close", "a draining worker closes keep-alive connections")
        XCTAssertEqual(try s.waitExit(timeout: 10), .exited(0))
        try s.waitForNotification("STOPPING=1", timeout: 1)
    }

    func testIntStopsQuickly() throws {
        let s = try start(["--graceful-timeout", "60"], workers: 2)
        let started = Date()
        try s.signal(SIGINT)
        XCTAssertEqual(try s.waitExit(timeout: 5), .exited(0))
        XCTAssertLessThan(Date().timeIntervalSince(started), 3.5)
    }

    func testPidfileWrittenAndRemoved() throws {
        let dir = try ServerProcess.makeTemporaryDirectory()
        let s = try ServerProcess(arguments: ["--app", "echo", "--workers", "1", "--pid", dir + "/paddock.pid"], directory: dir)
        server = s
        try s.waitReady()
        XCTAssertEqual(try String(contentsOfFile: dir + "/paddock.pid", encoding: .utf8), "\(s.pid)\n")
        try s.signal(SIGTERM)
        XCTAssertEqual(try s.waitExit(), .exited(0))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/paddock.pid"))
    }

    func testBadConfigExitsTwoNamingKeyValueAndLine() throws {
        let dir = try ServerProcess.makeTemporaryDirectory()
        defer { ServerProcess.removeTemporaryDirectory(dir) }
        try "# sample\nworkers = 2\nkeepalive = soon\n".write(toFile: dir + "/bad.conf", atomically: true, encoding: .utf8)
        let r = try ServerProcess.run(["--config", dir + "/bad.conf"], directory: dir)
        XCTAssertEqual(r.status, .exited(2))
        XCTAssertTrue(r.stderr.contains("bad.conf:3"), r.stderr)
        XCTAssertTrue(r.stderr.contains("keepalive"), r.stderr)
        XCTAssertTrue(r.stderr.contains("soon"), r.stderr)
        let typo = try ServerProcess.run(["--wokers", "3"], directory: dir)
        XCTAssertEqual(typo.status, .exited(2))
        XCTAssertTrue(typo.stderr.contains("--workers"), typo.stderr)
    }

    func testBindConflictExitsOneNamingAddress() throws {
        let taken = try Socket.listen(on: .ipv4("127.0.0.1", 0), backlog: 1)
        defer { taken.closeAfterFailure() }
        guard case .ipv4(_, let port)? = try Socket.localAddress(taken) else { return XCTFail("no port") }
        let dir = try ServerProcess.makeTemporaryDirectory()
        defer { ServerProcess.removeTemporaryDirectory(dir) }
        let r = try ServerProcess.run(["--app", "echo", "--bind", "127.0.0.1:\(port)", "--workers", "1"], directory: dir)
        XCTAssertEqual(r.status, .exited(1))
        XCTAssertTrue(r.stderr.contains("127.0.0.1:\(port)"), r.stderr)
        XCTAssertTrue(r.stderr.contains("Address already in use"), r.stderr)
    }
}
