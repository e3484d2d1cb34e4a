import Foundation
import Glibc
import Posix
import ServerCore
import TestSupport
import XCTest

/// Clients that try to exhaust a worker: responses nobody reads, huge
/// pipelines, expensive requests queued on one connection, connections that
/// are held open doing nothing. Each test runs the real binaries over raw
/// loopback sockets and measures the worker itself (RSS, latency seen by
/// another client).
final class HostileClientTests: XCTestCase {
    var server: ServerProcess?
    var allowed: [String] = []

    override func tearDown() {
        if let server {
            server.stopGracefully()
            XCTAssertEqual(server.unexpectedErrorLines(allowing: allowed + ["jwt_secret_key is not set"]), [],
                           "unexpected error lines in the server log")
        }
        server = nil
        allowed = []
        super.tearDown()
    }

    // MARK: backpressure

    /// 200 pipelined GETs of a 256 KiB post, nothing read, and a trickle of
    /// further requests: the worker stops parsing once the unsent output
    /// passes the high-water mark, so its memory stays flat, and the write
    /// timeout counts from the last byte the client accepted, so the trickle
    /// does not keep the connection open.
    func testUnreadResponsesStayBoundedAndAStalledReaderIsClosed() throws {
        let s = try startUsers(["--workers", "1", "--password-scrypt-n", "1024", "--write-timeout", "2"])
        let token = try registerAndLogin(s.port, email: "big@example.com")
        let content = String(repeating: "abcdefgh", count: 32 * 1024)
        let created = try HTTPTestClient(port: s.port).request(
            "POST", "/api/posts", headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
            body: json(["title": "big", "content": content]))
        XCTAssertEqual(created.status, 201, created.bodyText)
        let id = try XCTUnwrap(created.json?["id"] as? Int)
        let target = "/api/posts/\(id)"
        XCTAssertEqual(try HTTPTestClient(port: s.port).request("GET", target).body.count > 256 * 1024, true)
        let worker = try XCTUnwrap(s.workerPids()[0])
        let baseline = try XCTUnwrap(Process.residentBytes(of: worker))

        let attacker = try RawConnection(port: s.port)
        let one = "GET \(target) HTTP/1.1\r\nHost: x\r\n\r\n"
        XCTAssertTrue(attacker.send(String(repeating: one, count: 200)))
        let start = Date()
        var peak = baseline
        var closedAfter: Double?
        // A request every 250 ms: each used to restart the write deadline.
        while Date().timeIntervalSince(start) < 20 {
            if attacker.peerHasClosed(waitMs: 250) { closedAfter = Date().timeIntervalSince(start); break }
            if let rss = Process.residentBytes(of: worker) { peak = max(peak, rss) }
            if !attacker.send(one) { closedAfter = Date().timeIntervalSince(start); break }
        }
        let growth = peak - baseline
        XCTAssertLessThan(growth, 8 << 20, "worker RSS grew by \(growth >> 20) MiB for one client that reads nothing")
        let closed = try XCTUnwrap(closedAfter, "a client that accepts no output is closed after write_timeout")
        XCTAssertGreaterThan(closed, 1.5, "not before write_timeout")
        XCTAssertLessThan(closed, 10, "write_timeout (2 s) counts from the last progress, not from the last request")
        // The worker is still healthy and serves others.
        XCTAssertEqual(try HTTPTestClient(port: s.port).request("GET", "/health").status, 200)
    }

    /// The other side of backpressure and turns: a client that pipelines
    /// far more than one turn's budget and the high-water mark, then shuts
    /// down its sending side, still gets every response, in order, and then
    /// the close.
    func testHalfClosedPipelineIsAnsweredInOrderThenClosed() throws {
        let s = try ServerProcess(arguments: ["--app", "echo", "--workers", "1", "--output-high-water", "8k"])
        server = s
        try s.waitReady()
        let pad = String(repeating: "q", count: 2000)
        let count = 400
        var text = ""
        for i in 0..<count { text += "GET /echo?i=\(i) HTTP/1.1\r\nHost: x\r\nX-Pad: \(pad)\r\n\r\n" }
        let c = try HTTPTestClient(port: s.port, timeout: 30)
        // Sent from another thread: the server stops reading while its answers wait.
        let sender = Thread { [fd = c.fd, text] in
            do {
                try fd.writeAll(text)
                try Socket.shutdown(fd, how: Int32(SHUT_WR))
            } catch {
                XCTFail("sending the pipeline: \(error)")
            }
        }
        sender.start()
        for i in 0..<count {
            let r = try c.readResponse()
            XCTAssertEqual(r.status, 200)
            guard r.bodyText.contains("\"query\":\"i=\(i)\"") else {
                XCTFail("response \(i) out of order: \(r.bodyText.prefix(80))")
                return
            }
        }
        XCTAssertTrue(try c.isClosedByPeer(), "closed after the last response")
    }

    // MARK: input buffers

    /// Five connections each pipelining 6 MB of requests (and reading the
    /// answers): the worker reads no more than it can parse, and its buffers
    /// shrink back afterwards, so it is not left tens of MiB larger.
    func testPipelinedMegabytesLeaveNoLargeBuffersBehind() throws {
        let s = try ServerProcess(arguments: ["--app", "echo", "--workers", "1"])
        server = s
        try s.waitReady()
        XCTAssertEqual(try HTTPTestClient(port: s.port).request("GET", "/health").status, 200)
        let worker = try XCTUnwrap(s.workerPids()[0])
        let baseline = try XCTUnwrap(Process.residentBytes(of: worker))

        let pad = String(repeating: "p", count: 1000)
        let one = Array("GET /health HTTP/1.1\r\nHost: x\r\nX-Pad: \(pad)\r\n\r\n".utf8)
        let perConnection = 6_000_000 / one.count
        var payload: [UInt8] = []
        payload.reserveCapacity(perConnection * one.count)
        for _ in 0..<perConnection { payload += one }
        let connections = try (0..<5).map { _ in try RawConnection(port: s.port) }
        let answered = try pump(connections, payload: payload, expect: perConnection,
                                marker: Array(#"{"status":"healthy"}"#.utf8), timeout: 90)
        XCTAssertEqual(answered, Array(repeating: perConnection, count: 5))
        // The connections stay open (keep-alive): what they hold now is what a worker keeps.
        let after = try XCTUnwrap(Process.residentBytes(of: worker))
        XCTAssertLessThan(after - baseline, 8 << 20, "worker RSS grew by \((after - baseline) >> 20) MiB and kept it")
        XCTAssertEqual(try HTTPTestClient(port: s.port).request("GET", "/health").status, 200)
    }

    // MARK: fairness

    /// Two connections pipelining 100 wrong-password logins each (one scrypt
    /// check per request) on a two-worker server: each worker serves one
    /// request of a connection per turn and then looks at its other
    /// connections and its listener, so a fresh health check is answered
    /// within a few hundred milliseconds, not after the whole queue.
    func testPipelinedExpensiveRequestsDoNotStarveOtherClients() throws {
        let s = try startUsers(["--workers", "2"])
        let register = try HTTPTestClient(port: s.port, timeout: 30).request(
            "POST", "/auth/register", headers: [("Content-Type", "application/json")],
            body: json(["email": "victim@example.com", "name": "Victim", "password": "password123"]))
        XCTAssertEqual(register.status, 201, register.bodyText)
        let workers = Array(s.workerPids().values)
        XCTAssertEqual(workers.count, 2)
        let cpuBefore = workers.map { cpuSeconds($0) }

        let body = #"{"email":"victim@example.com","password":"wrong-password"}"#
        let login = "POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        // One pipeline at a time, so that the second lands on the worker the
        // first one does not keep busy; under way once that many workers
        // have burnt CPU on password checks.
        var attackers: [RawConnection] = []
        for n in 1...2 {
            let a = try RawConnection(port: s.port)
            XCTAssertTrue(a.send(String(repeating: login, count: 100)))
            attackers.append(a)
            let deadline = Date().addingTimeInterval(20)
            func busy() -> Int { zip(workers, cpuBefore).filter { cpuSeconds($0) - $1 >= 0.2 }.count }
            while Date() < deadline && busy() < n { Clock.sleep(milliseconds: 20) }
            XCTAssertEqual(busy(), n, "\(n) workers are checking passwords")
        }

        for round in 0..<3 {
            let began = Date()
            let probe = try HTTPTestClient(port: s.port, timeout: 30)
            let health = try probe.request("GET", "/health", close: true)
            let took = Date().timeIntervalSince(began)
            XCTAssertEqual(health.status, 200)
            XCTAssertLessThan(took, 1.5, "round \(round): /health waited \(took) s behind another client's pipeline")
        }
        // The attack was still going: neither pipeline was finished.
        for a in attackers {
            let seen = a.drainAvailable().occurrences(of: Array("HTTP/1.1 401".utf8))
            XCTAssertLessThan(seen, 100)
        }
    }

    // MARK: connection exhaustion

    /// A worker at `worker_connections` with only idle keep-alive
    /// connections closes the longest idle one for a new client, and the
    /// admin listener answers regardless.
    func testIdleKeepAliveConnectionsAtTheLimitMakeRoomForNewClients() throws {
        let dir = try ServerProcess.makeTemporaryDirectory()
        let admin = dir + "/admin.sock"
        let s = try ServerProcess(arguments: ["--app", "echo", "--workers", "1", "--worker-connections", "50",
                                              "--admin-bind", "unix:" + admin], directory: dir)
        server = s
        try s.waitReady()
        var held: [HTTPTestClient] = []
        for _ in 0..<50 {
            let c = try HTTPTestClient(port: s.port, timeout: 5)
            XCTAssertEqual(try c.request("GET", "/health").status, 200)
            held.append(c)
        }
        let fresh = try HTTPTestClient(port: s.port, timeout: 5)
        XCTAssertEqual(try fresh.request("GET", "/health").status, 200, "a new client gets in at the limit")
        XCTAssertEqual(try HTTPTestClient(unixPath: admin, timeout: 5).request("GET", "/status").status, 200)
        // The longest idle connection made room; the most recent ones are still served.
        XCTAssertTrue(try held[0].isClosedByPeer())
        XCTAssertEqual(try held[49].request("GET", "/health").status, 200)
        XCTAssertEqual(try fresh.request("GET", "/health").status, 200)
    }

    /// Connections that send nothing fill a worker: new clients and the
    /// admin listener still get answers, and under that pressure the silent
    /// connections are closed long before `header_read_timeout`.
    func testSilentConnectionsCannotLockOutClientsOrTheAdminListener() throws {
        let dir = try ServerProcess.makeTemporaryDirectory()
        let admin = dir + "/admin.sock"
        let s = try ServerProcess(arguments: ["--app", "echo", "--workers", "1", "--worker-connections", "50",
                                              "--header-read-timeout", "60", "--admin-bind", "unix:" + admin], directory: dir)
        server = s
        try s.waitReady()
        let began = Date()
        let silent = try (0..<60).map { _ in try RawConnection(port: s.port) }
        let status = try HTTPTestClient(unixPath: admin, timeout: 5).request("GET", "/status")
        XCTAssertEqual(status.status, 200, "the admin listener answers while the worker is full")
        XCTAssertEqual(try HTTPTestClient(port: s.port, timeout: 5).request("GET", "/health").status, 200)
        // Under pressure (three quarters of the 50 slots taken) a connection
        // that sent nothing has a short deadline: they are closed until
        // fewer than 38 remain.
        let enough = silent.count - 50 * 3 / 4
        var closed = 0
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            closed = silent.filter { $0.peerHasClosed(waitMs: 0) }.count
            if closed >= enough { break }
            Clock.sleep(milliseconds: 50)
        }
        XCTAssertGreaterThanOrEqual(closed, enough, "silent connections closed long before header_read_timeout (60 s)")
        XCTAssertLessThan(Date().timeIntervalSince(began), 20)
        XCTAssertEqual(try HTTPTestClient(port: s.port, timeout: 5).request("GET", "/health").status, 200)
    }

    /// A worker raises its soft open-file limit to fit `worker_connections`
    /// and the admin reserve: at 1024 (a common default outside systemd),
    /// 1,100 connections would end in EMFILE for public and admin clients.
    func testWorkerRaisesItsOpenFileLimitToFitItsConnections() throws {
        let (soft, hard) = try ResourceLimits.openFiles()
        guard hard >= 2048 else { throw XCTSkip("hard RLIMIT_NOFILE \(hard) is too low to test raising it") }
        // The server inherits the limit at spawn; this process gets its own back at once.
        try ResourceLimits.setOpenFiles(soft: 1024)
        let started = Result { try ServerProcess(arguments: ["--app", "echo", "--workers", "1", "--worker-connections", "1100"]) }
        try ResourceLimits.setOpenFiles(soft: soft)
        let s = try started.get()
        server = s
        try s.waitReady()
        let worker = try XCTUnwrap(s.workerPids()[0])
        let limits = try String(contentsOfFile: "/proc/\(worker)/limits", encoding: .utf8)
        let line = try XCTUnwrap(limits.split(separator: "\n").first { $0.hasPrefix("Max open files") })
        let workerSoft = try XCTUnwrap(line.split(separator: " ").dropFirst(3).first.flatMap { UInt64($0) })
        XCTAssertGreaterThanOrEqual(workerSoft, 1100 + 16, line.description)
    }

    // MARK: helpers

    func startUsers(_ args: [String]) throws -> ServerProcess {
        let s = try ServerProcess(arguments: ["--database-url", "sqlite:///app.db"] + args)
        server = s
        try s.waitReady()
        return s
    }

    func json(_ value: [String: Any]) -> [UInt8] { Array(try! JSONSerialization.data(withJSONObject: value)) }

    func registerAndLogin(_ port: UInt16, email: String) throws -> String {
        let reg = try HTTPTestClient(port: port).request("POST", "/auth/register", headers: [("Content-Type", "application/json")],
                                                         body: json(["email": email, "name": "Big", "password": "password123"]))
        XCTAssertEqual(reg.status, 201, reg.bodyText)
        let r = try HTTPTestClient(port: port).request("POST", "/auth/login", headers: [("Content-Type", "application/json")],
                                                       body: json(["email": email, "password": "password123"]))
        XCTAssertEqual(r.status, 200, r.bodyText)
        return try XCTUnwrap(r.json?["access_token"] as? String)
    }

    /// User plus system CPU time of a process, in seconds (/proc/PID/stat).
    func cpuSeconds(_ pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14 and stime 15 (1-based, proc(5)).
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Sends `payload` on every connection while reading what comes back;
    /// returns, per connection, how many times `marker` was seen once each
    /// saw `expect` of them (or the time ran out).
    func pump(_ connections: [RawConnection], payload: [UInt8], expect: Int, marker: [UInt8], timeout: Double) throws -> [Int] {
        var sent = Array(repeating: 0, count: connections.count)
        var seen = Array(repeating: 0, count: connections.count)
        var tails = Array(repeating: [UInt8](), count: connections.count)
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while Date() < deadline && seen.contains(where: { $0 < expect }) {
            var fds = connections.indices.map { i in
                pollfd(fd: connections[i].fd.rawValue,
                       events: Poll.readable | (sent[i] < payload.count ? Poll.writable : 0), revents: 0)
            }
            _ = try Poll.wait(&fds, timeoutMs: 100)
            for i in connections.indices {
                if fds[i].revents & Poll.writable != 0 && sent[i] < payload.count {
                    let r = try payload.withUnsafeBytes { p in
                        try connections[i].fd.write(UnsafeRawBufferPointer(rebasing: p[sent[i]...]))
                    }
                    if case .done(let n) = r { sent[i] += n }
                }
                if fds[i].revents & (Poll.readable | Poll.hangup | Poll.error) != 0 {
                    let r = try buffer.withUnsafeMutableBytes { try connections[i].fd.read(into: $0) }
                    guard case .done(let n) = r else { continue }
                    if n == 0 { return seen }
                    let chunk = tails[i] + buffer[0..<n]
                    seen[i] += chunk.occurrences(of: marker)
                    tails[i] = Array(chunk.suffix(marker.count - 1))
                }
            }
        }
        return seen
    }
}

/// A non-blocking client socket for sending without reading.
final class RawConnection {
    let fd: FileDescriptor

    init(port: UInt16) throws {
        fd = try Socket.stream(family: AF_INET)
        try Socket.connect(fd, to: .ipv4("127.0.0.1", port))
        try fd.setNonBlocking()
    }

    deinit { fd.closeAfterFailure() }

    /// Sends all of `text` (waiting for room up to 10 s); false once the peer is gone.
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var off = 0
        let deadline = Date().addingTimeInterval(10)
        while off < bytes.count && Date() < deadline {
            do {
                let r = try bytes.withUnsafeBytes { p in
                    try nonBlockingSyscall("send") {
                        Glibc.send(fd.rawValue, p.baseAddress! + off, p.count - off, Int32(MSG_NOSIGNAL))
                    }
                }
                switch r {
                case .done(let n): off += n
                case .wouldBlock:
                    var fds = [pollfd(fd: fd.rawValue, events: Poll.writable, revents: 0)]
                    _ = try Poll.wait(&fds, timeoutMs: 50)
                }
            } catch {
                return false
            }
        }
        return off == bytes.count
    }

    /// True when the server closed or reset the connection (seen without
    /// reading, so unread responses do not hide it), waiting up to `waitMs`.
    func peerHasClosed(waitMs: Int32) -> Bool {
        var fds = [pollfd(fd: fd.rawValue, events: Poll.peerClosed, revents: 0)]
        do { _ = try Poll.wait(&fds, timeoutMs: waitMs) } catch { return false }
        return fds[0].revents & (Poll.peerClosed | Poll.hangup | Poll.error) != 0
    }

    /// Everything readable right now.
    func drainAvailable() -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let r: IOResult<Int>
            do { r = try buffer.withUnsafeMutableBytes { try fd.read(into: $0) } } catch { return out }
            guard case .done(let n) = r, n > 0 else { return out }
            out += buffer[0..<n]
        }
    }
}

extension Array where Element == UInt8 {
    /// How many non-overlapping times `needle` occurs.
    func occurrences(of needle: [UInt8]) -> Int {
        guard !needle.isEmpty, count >= needle.count else { return 0 }
        var n = 0, i = 0
        while i <= count - needle.count {
            if self[i] == needle[0] && self[i..<(i + needle.count)].elementsEqual(needle) { n += 1; i += needle.count } else { i += 1 }
        }
        return n
    }
}
