import Foundation
import XCTest
import Posix
import TestSupport
@testable import AppCore
@testable import PaddockSQL

/// A database outage: requests get a quick 503, the process survives, and
/// the same application instance recovers by itself when the server is back.
final class PostgresOutageTests: XCTestCase {
    func testOutageGives503AndRecovers() throws {
        let cluster = try PostgresCluster()
        defer { cluster.destroy() }
        try cluster.start()
        let (logger, logPath) = try makeTestLogger()
        defer { try? FileManager.default.removeItem(atPath: logPath) }
        let app = try UsersApplication(configuration: testConfiguration(databaseURL: cluster.url, autoMigrate: .on), logger: logger)
        try app.start()
        XCTAssertEqual(app.send("POST", "/auth/register", json: jsonBody(["email": "ann@example.com", "name": "Ann", "password": "password123"])).status, 201)
        XCTAssertEqual(app.send("GET", "/api/users/1").status, 200)

        try cluster.stop()

        // The request in flight on the broken connection, then many more while down.
        let started = Clock.monotonicNanoseconds()
        for _ in 0..<200 {
            let r = app.send("GET", "/api/users/1")
            XCTAssertEqual(r.status, 503, r.text)
            XCTAssertEqual(r["error"]?.stringValue, "service_unavailable")
        }
        let ready = app.send("GET", "/health/ready")
        XCTAssertEqual(ready.status, 503)
        XCTAssertEqual(ready["status"]?.stringValue, "unavailable")
        XCTAssertEqual(ready["error"]?.stringValue, "service_unavailable")
        XCTAssertFalse(app.isReady().ready)
        XCTAssertEqual(app.send("GET", "/health").status, 200, "liveness never touches the database")
        let elapsed = Double(Clock.monotonicNanoseconds() - started) / 1e9
        XCTAssertLessThan(elapsed, 3, "a down database must not make requests hang")
        app.tick()

        try cluster.start()
        // Reconnects are throttled (500 ms); the same instance comes back within a few.
        let deadline = Clock.monotonicNanoseconds() + 10_000_000_000
        var status = 0
        while Clock.monotonicNanoseconds() < deadline {
            status = app.send("GET", "/api/users/1").status
            if status == 200 { break }
            XCTAssertEqual(status, 503)
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTAssertEqual(status, 200)
        XCTAssertEqual(app.send("GET", "/health/ready").status, 200)
        XCTAssertEqual(app.send("POST", "/auth/login", json: jsonBody(["email": "ann@example.com", "password": "password123"])).status, 200)
        let log = String(decoding: FileManager.default.contents(atPath: logPath) ?? Data(), as: UTF8.self)
        XCTAssertTrue(log.contains("database unavailable"), log)
        XCTAssertTrue(log.contains("database reachable again"), log)
    }

    func testUnreachableDatabaseStillStartsAndAnswers503() throws {
        // Nobody listens on port 1: connection refused at once.
        let (logger, logPath) = try makeTestLogger()
        defer { try? FileManager.default.removeItem(atPath: logPath) }
        let app = try UsersApplication(configuration: testConfiguration(databaseURL: "postgresql://postgres@127.0.0.1:1/postgres"), logger: logger)
        let started = Clock.monotonicNanoseconds()
        XCTAssertNoThrow(try app.start(), "a worker must boot before its database is up")
        XCTAssertLessThan(Double(Clock.monotonicNanoseconds() - started) / 1e9, 3)
        let r = app.send("GET", "/api/users")
        XCTAssertEqual(r.status, 503, r.text)
        XCTAssertEqual(r["error"]?.stringValue, "service_unavailable")
        XCTAssertEqual(app.send("GET", "/health/ready").status, 503)
        XCTAssertEqual(app.send("GET", "/health").status, 200)
    }
}
