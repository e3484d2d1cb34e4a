import Foundation
import Glibc
import Posix
import TestSupport
import XCTest

/// `paddock_db_*` on the admin listener of the real binary: every query a
/// request makes is in the histogram, a failed one is counted by class,
/// PostgreSQL coming back counts a reconnect, and a reload keeps the counts.
final class DatabaseMetricsTests: XCTestCase {
    var server: ServerProcess?
    var cluster: PostgresCluster?
    var allowed: [String] = []
    var admin = ""

    override func tearDown() {
        if let server {
            server.stopGracefully()
            XCTAssertEqual(server.unexpectedErrorLines(allowing: allowed + ["jwt_secret_key is not set"]), [], server.errorLog())
        }
        server = nil
        cluster?.destroy()
        cluster = nil
        allowed = []
        super.tearDown()
    }

    func json(_ value: [String: Any]) -> [UInt8] { Array(try! JSONSerialization.data(withJSONObject: value)) }

    func serve(_ db: [String], directory dir: String) throws -> ServerProcess {
        admin = dir + "/admin.sock"
        let s = try ServerProcess(arguments: ["--workers", "2", "--boot-timeout", "60", "--admin-bind", "unix:" + admin] + db, directory: dir)
        server = s
        try s.waitReady(timeout: 60)
        return s
    }

    func register(_ port: UInt16, _ email: String, name: String) throws -> Int {
        try HTTPTestClient(port: port).request("POST", "/auth/register", headers: [("Content-Type", "application/json")],
                                               body: json(["email": email, "name": name, "password": "password123"]), close: true).status
    }

    var calls: Double { (try? MetricsScrape(adminSocket: admin).value("paddock_db_query_duration_seconds_count")) ?? -1 }

    func testSQLiteQueriesFillTheHistogramAndAUniqueViolationIsCountedAcrossAReload() throws {
        let dir = try ServerProcess.makeTemporaryDirectory()
        let db = ["--database-url", "sqlite:///app.db", "--password-scrypt-n", "1024"]
        let migrate = try ServerProcess.run(["migrate"] + db, directory: dir)
        XCTAssertEqual(migrate.status, .exited(0), migrate.stderr)
        let s = try serve(db, directory: dir)
        let before = calls
        XCTAssertGreaterThanOrEqual(before, 0)
        for _ in 0..<5 { XCTAssertEqual(try HTTPTestClient(port: s.port).request("GET", "/api/users", close: true).status, 200) }
        let after = calls
        XCTAssertGreaterThanOrEqual(after, before + 5, "each list query is in the histogram")
        let m = try MetricsScrape(adminSocket: admin)
        XCTAssertEqual(m.value(#"paddock_db_query_duration_seconds_bucket{le="+Inf"}"#), after)
        XCTAssertGreaterThan(try XCTUnwrap(m.value("paddock_db_query_duration_seconds_sum")), 0)

        XCTAssertEqual(try register(s.port, "ann@example.com", name: "Ann"), 201)
        XCTAssertEqual(try register(s.port, "ann@example.com", name: "Ann"), 409, "found taken by the pre-check: no failed query")
        // A UNIQUE index the application's pre-check does not know about: the
        // INSERT itself fails with a unique violation (still a 409).
        let index = try ServerProcess.run(["python3", "-c", "import sqlite3; c = sqlite3.connect('app.db'); c.execute('CREATE UNIQUE INDEX users_name_unique ON users(name)'); c.commit()"],
                                          binary: "/usr/bin/env", directory: dir)
        XCTAssertEqual(index.status, .exited(0), index.stderr)
        XCTAssertEqual(try register(s.port, "bob@example.com", name: "Ann"), 409)
        let errors = try MetricsScrape(adminSocket: admin)
        XCTAssertEqual(errors.value(#"paddock_db_errors_total{class="unique_violation"}"#), 1, errors.lines.filter { $0.contains("db_errors") }.joined(separator: "\n"))
        XCTAssertEqual(errors.value(#"paddock_db_errors_total{class="unavailable"}"#), 0)

        // A reload replaces both workers; their counts move into the master's totals.
        let counted = calls
        let notices = s.allNotifications().count
        try s.signal(SIGHUP)
        try s.waitForNotification("reloaded", timeout: 60, after: notices)
        let reloaded = try MetricsScrape(adminSocket: admin)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(reloaded.value("paddock_db_query_duration_seconds_count")), counted,
                                    "database counts do not go backwards across a reload")
        XCTAssertEqual(reloaded.value(#"paddock_db_errors_total{class="unique_violation"}"#), 1)
    }

    func testPostgresComingBackCountsAReconnect() throws {
        let pg = try PostgresCluster()
        cluster = pg
        try pg.start()
        let db = ["--database-url", pg.url, "--password-scrypt-n", "1024", "--db-connect-timeout", "1"]
        let dir = try ServerProcess.makeTemporaryDirectory()
        XCTAssertEqual(try ServerProcess.run(["seed", "--users", "3", "--posts-per-user", "1"] + db, directory: dir).status, .exited(0))
        let s = try serve(db, directory: dir)
        for _ in 0..<4 { XCTAssertEqual(try HTTPTestClient(port: s.port).request("GET", "/api/users/1", close: true).status, 200) }
        let first = try MetricsScrape(adminSocket: admin)
        XCTAssertEqual(first.value("paddock_db_reconnects_total"), 0, "the first connection is no reconnect")

        try pg.stop()
        allowed = ["database unavailable"]
        for _ in 0..<6 { XCTAssertEqual(try HTTPTestClient(port: s.port).request("GET", "/api/users/1", close: true).status, 503) }
        let down = try MetricsScrape(adminSocket: admin)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(down.value(#"paddock_db_errors_total{class="unavailable"}"#)), 1)

        try pg.start()
        let deadline = Date().addingTimeInterval(15)
        var recovered = 0
        // Until both workers have served again (each reconnects on its own).
        while Date() < deadline && recovered < 10 {
            if try HTTPTestClient(port: s.port).request("GET", "/api/users/1", close: true).status == 200 { recovered += 1 } else {
                Clock.sleep(milliseconds: 100)
            }
        }
        XCTAssertEqual(recovered, 10, "service resumes when the database returns")
        let back = try MetricsScrape(adminSocket: admin)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(back.value("paddock_db_reconnects_total")), 1)
        XCTAssertLessThanOrEqual(try XCTUnwrap(back.value("paddock_db_reconnects_total")), 2, "one per worker")
    }
}
