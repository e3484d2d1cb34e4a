import Foundation
import Glibc
import Posix
import ServerCore
import TestSupport
import XCTest

/// The users application on PostgreSQL through PgBouncer in transaction
/// pooling mode, with the default settings: more workers than server
/// connections, two instances behind HAProxy restarted one after the other
/// under load, and a PostgreSQL restart under load.
final class PgBouncerTopologyTests: InstancesTestCase {
    var cluster: PostgresCluster?
    var bouncer: PgBouncer?

    override func setUp() {
        super.setUp()
        allowed = ["jwt_secret_key is not set"]
    }

    /// The instances first, then what they connect to.
    override func tearDown() {
        super.tearDown()
        bouncer?.stop()
        bouncer = nil
        cluster?.destroy()
        cluster = nil
    }

    /// A running cluster with PgBouncer in front, migrated and seeded through PgBouncer.
    func startDatabase(poolSize: Int) throws -> (PostgresCluster, PgBouncer) {
        guard let binary = PgBouncer.findBinary() else {
            throw XCTSkip("pgbouncer is not installed (apt-get install pgbouncer): these tests need the real one")
        }
        let pg = try PostgresCluster()
        cluster = pg
        try pg.start()
        let b = try PgBouncer(binary: binary, cluster: pg, poolSize: poolSize)
        bouncer = b
        // migrate's lock is transaction-level: it works through PgBouncer.
        let db = ["--database-url", b.url(), "--password-scrypt-n", "1024"]
        let migrate = try ServerProcess.run(["migrate"] + db)
        XCTAssertEqual(migrate.status, .exited(0), migrate.stderr)
        let seed = try ServerProcess.run(["seed", "--users", "20", "--posts-per-user", "1"] + db)
        XCTAssertEqual(seed.status, .exited(0), seed.stderr)
        return (pg, b)
    }

    func usersArguments(_ b: PgBouncer, workers: Int) -> [String] {
        ["--workers", String(workers), "--database-url", b.url(), "--password-scrypt-n", "1024"]
    }

    static let userTarget: @Sendable (Int, Int) -> String = { t, i in "/api/users/\((t * 7 + i) % 20 + 1)" }

    func testEightWorkersOnAPoolOfFourServe() throws {
        let (_, b) = try startDatabase(poolSize: 4)
        let s = try ServerProcess(arguments: usersArguments(b, workers: 8))
        servers.append(s)
        try s.waitReady(timeout: 60)
        XCTAssertEqual(try HTTPTestClient(port: s.port).request("GET", "/health/ready").status, 200)

        // Reads on eight connections at once, so every worker queries.
        let reads = LoadGenerator(port: s.port, threads: 8, requestsPerThread: 40, maxDuration: 60, target: Self.userTarget)
        reads.start()
        let result = reads.waitFinished(timeout: 90)
        XCTAssertEqual(result.failures, [])
        XCTAssertEqual(result.succeeded, 320)

        // Writes and transactions (login takes its issue instant in one).
        let body = Array(#"{"email":"user1@example.com","password":"password123"}"#.utf8)
        for _ in 0..<8 {
            let login = try HTTPTestClient(port: s.port).request("POST", "/auth/login", headers: [("Content-Type", "application/json")],
                                                                 body: body, close: true)
            XCTAssertEqual(login.status, 200, login.bodyText)
            let token = login.json?["access_token"] as? String ?? ""
            let post = try HTTPTestClient(port: s.port).request("POST", "/api/posts",
                                                                headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
                                                                body: Array(#"{"title":"t","content":"c"}"#.utf8), close: true)
            XCTAssertEqual(post.status, 201, post.bodyText)
        }
        let lines = s.errorLog().split(separator: "\n")
        XCTAssertEqual(lines.filter { $0.contains("worker ready slot=") }.count, 8, "a worker failed to boot or was replaced:\n\(s.errorLog())")
        XCTAssertFalse(s.errorLog().contains("failed to start"), s.errorLog())
    }

    // MARK: two instances behind HAProxy

    /// A users instance on `listener` with its own access log, ready.
    func startInstance(_ name: String, on listener: FileDescriptor, bouncer b: PgBouncer) throws -> ServerProcess {
        let dir = try ServerProcess.makeTemporaryDirectory("paddock-pgb-\(name)")
        let s = try ServerProcess(arguments: usersArguments(b, workers: 2) + ["--shutdown-delay", "1", "--access-logfile", dir + "/access.log"],
                                  listener: listener, directory: dir)
        servers.append(s)
        try s.waitReady()
        return s
    }

    /// API requests in an instance's access log (HAProxy's checks go to `/health/ready`).
    func apiRequests(_ s: ServerProcess) -> Int { s.accessLogCount(containing: "\"GET /api/users/") }

    func waitForTraffic(_ s: ServerProcess, atLeast count: Int, timeout: Double = 10) -> Bool {
        s.waitForAccessLog(containing: "\"GET /api/users/", atLeast: count, timeout: timeout)
    }

    /// Polls a read through HAProxy until it answers 200; the seconds it took, nil when not within `timeout`.
    func secondsUntilServing(_ proxy: HAProxyProcess, timeout: Double) -> Double? {
        let started = Date()
        while Date().timeIntervalSince(started) < timeout {
            do {
                if try HTTPTestClient(port: proxy.port, timeout: 5).request("GET", "/api/users/1", close: true).status == 200 {
                    return Date().timeIntervalSince(started)
                }
            } catch {
                // Refused or reset while HAProxy starts: poll again until the deadline.
            }
            Clock.sleep(milliseconds: 20)
        }
        return nil
    }

    /// Stops `old` with TERM under load and starts its replacement on the same socket.
    func restart(_ old: ServerProcess, name: String, listener: FileDescriptor, bouncer b: PgBouncer,
                 haproxy: HAProxyProcess) throws -> ServerProcess {
        XCTAssertGreaterThan(apiRequests(old), 0, "\(name) served nothing before its restart")
        try old.signal(SIGTERM)
        XCTAssertEqual(try old.waitExit(timeout: 15), .exited(0), "\(name) did not stop cleanly; log:\n\(old.errorLog())")
        XCTAssertTrue(haproxy.log().contains("Server paddock/\(name) is DOWN"),
                      "HAProxy never marked \(name) down; its log:\n\(haproxy.logTail())")
        let replacement = try startInstance(name + "2", on: listener, bouncer: b)
        XCTAssertTrue(waitForTraffic(replacement, atLeast: 20),
                      "HAProxy sent no traffic to the new \(name); HAProxy log:\n\(haproxy.logTail())")
        return replacement
    }

    func testTwoInstancesBehindHAProxyRollingRestartAndDatabaseRestart() throws {
        guard let binary = HAProxyProcess.findBinary() else {
            throw XCTSkip("haproxy is not installed (apt-get install haproxy): the load balancer test needs the real one")
        }
        let (pg, b) = try startDatabase(poolSize: 4)
        let listenerA = try Socket.listen(on: .ipv4("127.0.0.1", 0), backlog: 1024)
        listeners.append(listenerA)
        let listenerB = try Socket.listen(on: .ipv4("127.0.0.1", 0), backlog: 1024)
        listeners.append(listenerB)
        let a = try startInstance("a", on: listenerA, bouncer: b)
        let bInstance = try startInstance("b", on: listenerB, bouncer: b)
        let proxy = try HAProxyProcess(binary: binary, servers: [("a", a.port), ("b", bInstance.port)])
        haproxy = proxy
        XCTAssertNotNil(secondsUntilServing(proxy, timeout: 10), "HAProxy not serving; its log:\n\(proxy.logTail())")

        // Rolling restart under load: not one request lost.
        let rolling = LoadGenerator(port: proxy.port, threads: 4, maxDuration: 60, pauseMs: 2, target: Self.userTarget)
        load = rolling
        rolling.start()
        XCTAssertTrue(rolling.waitForProgress(50), "the load did not get going; HAProxy log:\n\(proxy.logTail())")
        XCTAssertTrue(waitForTraffic(a, atLeast: 10) && waitForTraffic(bInstance, atLeast: 10), "HAProxy does not use both instances")
        let a2 = try restart(a, name: "a", listener: listenerA, bouncer: b, haproxy: proxy)
        let b2 = try restart(bInstance, name: "b", listener: listenerB, bouncer: b, haproxy: proxy)
        let rolled = rolling.stop()
        load = nil
        XCTAssertEqual(rolled.failures, [], "failed requests during the rolling restart (\(rolled.succeeded) succeeded)")
        XCTAssertGreaterThan(rolled.succeeded, 200)
        XCTAssertEqual(proxy.failedResponses(), [], "HAProxy logged non-2xx responses during the rolling restart")

        // PostgreSQL restart under load: 503s only, back within 3 s, no worker replaced.
        let workersBefore = [a2.workerPids(), b2.workerPids()]
        allowed += ["database unavailable"]
        let outage = LoadGenerator(port: proxy.port, threads: 4, maxDuration: 60, pauseMs: 2, target: Self.userTarget)
        load = outage
        outage.start()
        XCTAssertTrue(outage.waitForProgress(50))
        try pg.stop()
        // The outage lasts a second under load (a duration, not a readiness wait).
        Clock.sleep(milliseconds: 1000)
        try pg.start()
        let took = secondsUntilServing(proxy, timeout: 15)
        XCTAssertNotNil(took, "no 200 within 15 s of PostgreSQL being back; HAProxy log:\n\(proxy.logTail())\nPgBouncer log:\n\(b.log())")
        XCTAssertLessThan(took ?? 99, 3, "service was not back within 3 s of the database")
        let mark = outage.succeededSoFar
        XCTAssertTrue(outage.waitForProgress(mark + 50), "the load did not recover")
        let result = outage.stop()
        load = nil
        let notUnavailable = result.failures.filter { !$0.contains(": status 503 ") }
        XCTAssertEqual(notUnavailable, [], "during the database restart every failure must be a 503 (\(result.failures.count) failures)")
        XCTAssertFalse(proxy.log().contains(" 500 "), "a 500 went through HAProxy")
        XCTAssertEqual([a2.workerPids(), b2.workerPids()], workersBefore, "a worker was replaced")
        for s in [a2, b2] { XCTAssertFalse(s.errorLog().contains("worker died") || s.errorLog().contains("timed out"), s.errorLog()) }
        print("PostgreSQL restart: \(result.failures.count) 503s, \(result.succeeded) 200s, serving \(String(format: "%.2f", took ?? -1)) s after the database")
    }
}
