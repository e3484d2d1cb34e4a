import Foundation
import Glibc
import Posix
import ServerCore
import TestSupport
import XCTest

/// A rolling restart behind a real HAProxy, as in docs/deploy.md: two
/// instances, active checks of `/health/ready`, keep-alive to the servers.
/// Each instance is stopped with `TERM` (readiness turns 503 for
/// `shutdown_delay` while it still serves, so HAProxy takes it out before
/// its listeners close) and replaced by a new instance on the same listening
/// socket, while clients keep sending requests through HAProxy. No client
/// request may fail.
final class LoadBalancerTests: InstancesTestCase {
    /// An echo instance on `listener` with its own access log, ready.
    func startInstance(_ name: String, on listener: FileDescriptor) throws -> ServerProcess {
        let dir = try ServerProcess.makeTemporaryDirectory("paddock-lb-\(name)")
        let s = try ServerProcess(arguments: ["--app", "echo", "--workers", "2", "--shutdown-delay", "1",
                                              "--access-logfile", dir + "/access.log"],
                                  listener: listener, directory: dir)
        servers.append(s)
        try s.waitReady()
        return s
    }

    /// Requests to `/echo` in an instance's access log (HAProxy's checks go to `/health/ready`).
    func echoRequests(_ s: ServerProcess) -> Int { s.accessLogCount(containing: "\"GET /echo?") }

    func waitForTraffic(_ s: ServerProcess, atLeast count: Int, timeout: Double = 5) -> Bool {
        s.waitForAccessLog(containing: "\"GET /echo?", atLeast: count, timeout: timeout)
    }

    /// Stops `old` with TERM under load and starts its replacement on the same socket.
    func restart(_ old: ServerProcess, name: String, listener: FileDescriptor, haproxy: HAProxyProcess) throws -> ServerProcess {
        let servedBefore = echoRequests(old)
        XCTAssertGreaterThan(servedBefore, 0, "\(name) served nothing before its restart")
        let termAt = Date()
        try old.signal(SIGTERM)
        XCTAssertEqual(try old.waitExit(timeout: 10), .exited(0), "\(name) did not stop cleanly; log:\n\(old.errorLog())")
        let stopped = Date().timeIntervalSince(termAt)
        XCTAssertGreaterThanOrEqual(stopped, 0.95, "\(name) did not wait shutdown_delay")
        // Taken out during shutdown_delay, before the listeners closed.
        XCTAssertTrue(haproxy.log().contains("Server paddock/\(name) is DOWN"),
                      "HAProxy never marked \(name) down; its log:\n\(haproxy.logTail())")
        let replacement = try startInstance(name + "2", on: listener)
        // Back in rotation once a check passes (rise 1, inter 100ms); seeing
        // its requests in the access log is the proof.
        XCTAssertTrue(waitForTraffic(replacement, atLeast: 20),
                      "HAProxy sent no traffic to the new \(name); HAProxy log:\n\(haproxy.logTail())")
        return replacement
    }

    func testRollingRestartBehindHAProxyLosesNoRequest() throws {
        guard let binary = HAProxyProcess.findBinary() else {
            throw XCTSkip("haproxy is not installed (apt-get install haproxy): the load balancer test needs the real one")
        }
        let listenerA = try Socket.listen(on: .ipv4("127.0.0.1", 0), backlog: 1024)
        listeners.append(listenerA)
        let listenerB = try Socket.listen(on: .ipv4("127.0.0.1", 0), backlog: 1024)
        listeners.append(listenerB)
        let a = try startInstance("a", on: listenerA)
        let b = try startInstance("b", on: listenerB)

        let proxy = try HAProxyProcess(binary: binary, servers: [("a", a.port), ("b", b.port)])
        haproxy = proxy
        try proxy.waitServing(timeout: 10)
        // Round robin over both servers once both are up.
        let deadline = Date().addingTimeInterval(5)
        while (echoRequests(a) == 0 || echoRequests(b) == 0) && Date() < deadline {
            XCTAssertEqual(try HTTPTestClient(port: proxy.port, timeout: 5).request("GET", "/echo?probe=2", close: true).status, 200)
            Clock.sleep(milliseconds: 20)
        }
        XCTAssertTrue(echoRequests(a) > 0 && echoRequests(b) > 0, "HAProxy does not use both instances; its log:\n\(proxy.logTail())")

        let load = LoadGenerator(port: proxy.port, threads: 4, maxDuration: 30, pauseMs: 2)
        self.load = load
        load.start()
        XCTAssertTrue(load.waitForProgress(50), "the load did not get going; HAProxy log:\n\(proxy.logTail())")

        let a2 = try restart(a, name: "a", listener: listenerA, haproxy: proxy)
        let b2 = try restart(b, name: "b", listener: listenerB, haproxy: proxy)
        // Both replacements keep serving side by side.
        let marks = (echoRequests(a2), echoRequests(b2))
        XCTAssertTrue(waitForTraffic(a2, atLeast: marks.0 + 20) && waitForTraffic(b2, atLeast: marks.1 + 20),
                      "the new instances are not both in rotation; HAProxy log:\n\(proxy.logTail())")

        let result = load.stop()
        self.load = nil
        XCTAssertEqual(result.failures, [], "failed requests through HAProxy (\(result.succeeded) succeeded); HAProxy log:\n\(proxy.logTail())")
        XCTAssertGreaterThan(result.succeeded, 200)
        XCTAssertEqual(proxy.failedResponses(), [], "HAProxy logged non-2xx responses")
        let retried = proxy.retriedRequests()
        if !retried.isEmpty { print("HAProxy retried \(retried.count) server connections:\n" + retried.joined(separator: "\n")) }
        XCTAssertNil(proxy.exitStatus(), "HAProxy exited; its log:\n\(proxy.logTail())")
    }
}

/// HAProxy in the foreground (`-db`) on a frontend socket the test bound and
/// passes as fd 3 (`bind fd@3`), logging every request to its standard
/// error, which goes to a file.
final class HAProxyProcess: ProxyChild {
    let pid: Int32
    let port: UInt16
    let directory: String
    let logPath: String
    var reapedStatus: ExitStatus?

    static func findBinary() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let dirs = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/local/sbin", "/sbin"]
        return dirs.map { $0 + "/haproxy" }.first { Files.isExecutable($0) }
    }

    /// `serverOptions` follow each `server` line (`send-proxy-v2`, ...);
    /// `frontendOnIPv6` listens on `[::1]` instead of 127.0.0.1.
    init(binary: String, servers: [(name: String, port: UInt16)], serverOptions: String = "check",
         frontendOnIPv6: Bool = false) throws {
        directory = try ServerProcess.makeTemporaryDirectory("haproxy")
        logPath = directory + "/haproxy.log"
        let frontend = try Socket.listen(on: frontendOnIPv6 ? .ipv6("::1", 0) : .ipv4("127.0.0.1", 0), backlog: 1024)
        defer { frontend.closeAfterFailure() }
        switch try Socket.localAddress(frontend) {
        case .ipv4(_, let p)?, .ipv6(_, let p)?: port = p
        default: throw SystemError("getsockname", .EINVAL)
        }
        let serverLines = servers.map { "    server \($0.name) 127.0.0.1:\($0.port) \(serverOptions)" }.joined(separator: "\n")
        let config = """
        global
            nbthread 1
            log stderr format raw local0 info

        defaults
            mode http
            log global
            option httplog
            timeout connect 1s
            timeout client 5s
            timeout server 5s

        frontend api
            bind fd@3
            default_backend paddock

        backend paddock
            balance roundrobin
            option httpchk GET /health/ready
            http-check expect status 200
            default-server inter 100ms fall 2 rise 1
            http-reuse safe
            retries 3
            option redispatch
        \(serverLines)

        """
        let configPath = directory + "/haproxy.cfg"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let logFile = try Files.open(logPath, flags: O_WRONLY | O_CREAT | O_TRUNC | O_APPEND)
        defer { logFile.closeAfterFailure() }
        pid = try Process.spawn(path: binary, arguments: [binary, "-db", "-f", configPath],
                                environment: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],
                                fds: [(.standardInput, 0), (logFile, 1), (logFile, 2), (frontend, 3)], newProcessGroup: true)
    }

    deinit { stop() }

    func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// The last `lines` lines of the log, for failure messages (the whole log has a line per request).
    func logTail(_ lines: Int = 80) -> String {
        log().split(separator: "\n").suffix(lines).joined(separator: "\n") + "\n(whole log: \(logPath))"
    }

    /// Polls until a request through HAProxy gets a 200 (both servers start
    /// out up; this waits for the process to parse its file and accept).
    func waitServing(timeout: Double) throws {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            if let st = exitStatus() { throw ServerError(message: "haproxy exited (\(st)); log:\n\(log())") }
            do {
                let r = try HTTPTestClient(port: port, timeout: 2).request("GET", "/echo?probe=1", close: true)
                if r.status == 200 { return }
                last = "status \(r.status)"
            } catch {
                last = "\(error)"
            }
            Clock.sleep(milliseconds: 50)
        }
        throw ServerError(message: "haproxy not serving within \(timeout)s (\(last)); log:\n\(log())")
    }

    /// Request lines (httplog: `client [date] frontend backend/server
    /// Tq/Tw/Tc/Tr/Ta status bytes ...`) whose status is not 2xx.
    func failedResponses() -> [String] {
        requestLines().filter { fields in
            guard let i = fields.firstIndex(where: { $0.hasPrefix("paddock/") }), i + 2 < fields.count else { return true }
            return !(200..<300).contains(Int(fields[i + 2]) ?? 0)
        }.map { $0.joined(separator: " ") }
    }

    /// Request lines where HAProxy retried the server connection (the last
    /// of `actconn/feconn/beconn/srv_conn/retries` is not 0; `+N`: redispatched).
    func retriedRequests() -> [String] {
        requestLines().filter { fields in
            // server, timers, status, bytes, two cookies, termination state, connection counts.
            guard let i = fields.firstIndex(where: { $0.hasPrefix("paddock/") }), i + 7 < fields.count else { return false }
            return fields[i + 7].split(separator: "/").last != "0"
        }.map { $0.joined(separator: " ") }
    }

    private func requestLines() -> [[Substring]] {
        log().split(separator: "\n").filter { $0.contains(" api paddock") }.map { $0.split(separator: " ") }
    }
}
