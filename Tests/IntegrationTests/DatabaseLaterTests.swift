import Foundation
import Posix
import TestSupport
import XCTest

/// PostgreSQL not up yet when Paddock starts (compose, Kubernetes and
/// systemd on another host start services in any order): the workers boot
/// anyway, `/health` answers 200, readiness and the API 503, and the service
/// is up within a couple of seconds of the database. A missing schema is a
/// 503 naming `paddock migrate` until someone runs it.
final class DatabaseLaterTests: XCTestCase {
    var server: ServerProcess?
    var cluster: PostgresCluster?
    var allowed: [String] = []

    override func tearDown() {
        if let s = server {
            s.stopGracefully()
            XCTAssertEqual(s.unexpectedErrorLines(allowing: allowed + ["jwt_secret_key is not set"]), [], "unexpected error lines:\n\(s.errorLog())")
        }
        server = nil
        cluster?.destroy()
        cluster = nil
        super.tearDown()
    }

    /// Polls `path` until it answers 200; returns the seconds it took (nil: not within `timeout`).
    func secondsUntil200(_ s: ServerProcess, _ path: String, timeout: Double) -> Double? {
        let started = Date()
        while Date().timeIntervalSince(started) < timeout {
            do {
                if try HTTPTestClient(port: s.port, timeout: 5).request("GET", path, close: true).status == 200 {
                    return Date().timeIntervalSince(started)
                }
            } catch {
                // A request that failed at the socket: keep polling until the deadline.
            }
            Clock.sleep(milliseconds: 50)
        }
        return nil
    }

    func testWorkersBootWithoutTheDatabaseAndServeSoonAfterItStarts() throws {
        // Created (initdb) but not started: nothing listens on its port yet.
        let pg = try PostgresCluster()
        cluster = pg
        let s = try ServerProcess(arguments: ["--workers", "2", "--database-url", pg.url, "--auto-migrate", "on",
                                              "--password-scrypt-n", "1024", "--db-connect-timeout", "1"])
        server = s
        allowed = ["database unavailable"]
        try s.waitReady(timeout: 30)
        XCTAssertEqual(try HTTPTestClient(port: s.port).request("GET", "/health").status, 200, "liveness needs no database")
        let ready = try HTTPTestClient(port: s.port).request("GET", "/health/ready")
        XCTAssertEqual(ready.status, 503, ready.bodyText)
        let api = try HTTPTestClient(port: s.port).request("GET", "/api/users")
        XCTAssertEqual(api.status, 503, api.bodyText)
        XCTAssertEqual(api.json?["error"] as? String, "service_unavailable")
        let workersBefore = s.workerPids()
        XCTAssertEqual(workersBefore.count, 2, s.errorLog())

        try pg.start()
        // auto_migrate creates the schema as soon as the database answers.
        let took = secondsUntil200(s, "/api/users", timeout: 10)
        XCTAssertNotNil(took, "no 200 within 10 s of the database starting; log:\n\(s.errorLog())")
        XCTAssertLessThan(took ?? 99, 3, "service took too long to follow the database")
        XCTAssertNotNil(secondsUntil200(s, "/health/ready", timeout: 3))
        XCTAssertEqual(s.workerPids(), workersBefore, "no worker restarted")
        XCTAssertFalse(s.errorLog().contains("failed to start"), s.errorLog())
    }

    func testMissingSchemaIs503NamingMigrateUntilItRuns() throws {
        let pg = try PostgresCluster()
        cluster = pg
        try pg.start()
        let db = ["--database-url", pg.url, "--password-scrypt-n", "1024"]
        // auto_migrate is off for PostgreSQL by default.
        let s = try ServerProcess(arguments: ["--workers", "2"] + db)
        server = s
        allowed = ["database schema not ready", "paddock migrate"]
        try s.waitReady(timeout: 30)
        let api = try HTTPTestClient(port: s.port).request("GET", "/api/users")
        XCTAssertEqual(api.status, 503, api.bodyText)
        XCTAssertTrue((api.json?["message"] as? String)?.contains("paddock migrate") == true, api.bodyText)
        let ready = try HTTPTestClient(port: s.port).request("GET", "/health/ready")
        XCTAssertEqual(ready.status, 503, ready.bodyText)
        XCTAssertTrue(ready.bodyText.contains("paddock migrate"), ready.bodyText)

        let migrate = try ServerProcess.run(["migrate"] + db)
        XCTAssertEqual(migrate.status, .exited(0), migrate.stderr)
        let took = secondsUntil200(s, "/api/users", timeout: 10)
        XCTAssertNotNil(took, "the workers did not notice the migration; log:\n\(s.errorLog())")
        XCTAssertLessThan(took ?? 99, 3)
    }
}
