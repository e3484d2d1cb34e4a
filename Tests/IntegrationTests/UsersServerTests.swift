import Foundation
import Glibc
import Posix
import ServerCore
import TestSupport
import XCTest

/// The users application through the real binaries: `paddock migrate`,
/// `paddock seed`, serving on SQLite and on PostgreSQL, and a database
/// outage under a running server.
final class UsersServerTests: XCTestCase {
    var server: ServerProcess?
    var cluster: PostgresCluster?
    var allowed: [String] = []

    override func tearDown() {
        if let server {
            server.stopGracefully()
            XCTAssertEqual(server.unexpectedErrorLines(allowing: allowed + ["jwt_secret_key is not set"]), [])
        }
        server = nil
        cluster?.destroy()
        cluster = nil
        allowed = []
        super.tearDown()
    }

    func json(_ value: [String: Any]) -> [UInt8] { Array(try! JSONSerialization.data(withJSONObject: value)) }

    func login(_ port: UInt16, email: String) throws -> String {
        let r = try HTTPTestClient(port: port).request("POST", "/auth/login", headers: [("Content-Type", "application/json")],
                                                       body: json(["email": email, "password": "password123"]))
        XCTAssertEqual(r.status, 200, r.bodyText)
        return try XCTUnwrap(r.json?["access_token"] as? String)
    }

    func testMigrateSeedAndServeOnSQLite() throws {
        let dir = try ServerProcess.makeTemporaryDirectory()
        let db = ["--database-url", "sqlite:///app.db", "--password-scrypt-n", "1024"]
        let migrate = try ServerProcess.run(["migrate"] + db, directory: dir)
        XCTAssertEqual(migrate.status, .exited(0), migrate.stderr)
        let seed = try ServerProcess.run(["seed", "--users", "5", "--posts-per-user", "2"] + db, directory: dir)
        XCTAssertEqual(seed.status, .exited(0), seed.stderr)
        let again = try ServerProcess.run(["seed", "--users", "5"] + db, directory: dir)
        XCTAssertNotEqual(again.status, .exited(0), "seeding a non-empty database needs --force")
        XCTAssertTrue(again.stderr.contains("--force"), again.stderr)

        let s = try ServerProcess(arguments: ["--workers", "2"] + db, directory: dir)
        server = s
        try s.waitReady()
        let list = try HTTPTestClient(port: s.port).request("GET", "/api/users?page=1&per_page=2")
        XCTAssertEqual(list.status, 200)
        XCTAssertEqual(list.json?["total"] as? Int, 5)
        XCTAssertEqual(list.json?["pages"] as? Int, 3)
        let token = try login(s.port, email: "user1@example.com")
        // Repeated password checks reuse libcrypto's scrypt block in each worker.
        for i in 2...5 { XCTAssertFalse(try login(s.port, email: "user\(i)@example.com").isEmpty) }
        let wrong = try HTTPTestClient(port: s.port).request("POST", "/auth/login", headers: [("Content-Type", "application/json")],
                                                           body: json(["email": "user1@example.com", "password": "password12"]))
        XCTAssertEqual(wrong.status, 401)
        // Any worker accepts a token another worker issued (one shared secret).
        for i in 0..<6 {
            let c = try HTTPTestClient(port: s.port)
            let created = try c.request("POST", "/api/posts", headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
                                        body: json(["title": "t\(i)", "content": "c"]), close: true)
            XCTAssertEqual(created.status, 201, created.bodyText)
        }
        let posts = try HTTPTestClient(port: s.port).request("GET", "/api/users/1/posts")
        XCTAssertEqual(posts.json?["total"] as? Int, 8)
        XCTAssertEqual(try HTTPTestClient(port: s.port).request("GET", "/api/users/999").status, 404)
    }

    func testPostgresOutageUnderRunningServerGives503ThenRecoversWithoutRestarts() throws {
        let pg = try PostgresCluster()
        cluster = pg
        try pg.start()
        let db = ["--database-url", pg.url, "--password-scrypt-n", "1024"]
        let dir = try ServerProcess.makeTemporaryDirectory()
        XCTAssertEqual(try ServerProcess.run(["seed", "--users", "3", "--posts-per-user", "1"] + db, directory: dir).status, .exited(0))
        let s = try ServerProcess(arguments: ["--workers", "2", "--db-connect-timeout", "1"] + db, directory: dir)
        server = s
        try s.waitReady()
        XCTAssertEqual(try HTTPTestClient(port: s.port).request("GET", "/api/users/1").status, 200)
        let workersBefore = s.workerPids()

        try pg.stop()
        allowed = ["database unavailable"]
        let started = Date()
        for _ in 0..<20 {
            let r = try HTTPTestClient(port: s.port).request("GET", "/api/users/1")
            XCTAssertEqual(r.status, 503, r.bodyText)
            XCTAssertEqual(r.json?["error"] as? String, "service_unavailable")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 10, "503s come quickly, not after hanging")
        XCTAssertEqual(try HTTPTestClient(port: s.port).request("GET", "/health/ready").status, 503)
        XCTAssertEqual(try HTTPTestClient(port: s.port).request("GET", "/health").status, 200, "liveness needs no database")

        try pg.start()
        let deadline = Date().addingTimeInterval(15)
        var recovered = false
        while Date() < deadline && !recovered {
            recovered = try HTTPTestClient(port: s.port).request("GET", "/api/users/1").status == 200
            if !recovered { Clock.sleep(milliseconds: 100) }
        }
        XCTAssertTrue(recovered, "service resumes by itself when the database returns")
        for _ in 0..<10 { XCTAssertEqual(try HTTPTestClient(port: s.port).request("GET", "/api/users/2").status, 200) }
        XCTAssertEqual(try HTTPTestClient(port: s.port).request("GET", "/health/ready").status, 200)
        XCTAssertEqual(s.workerPids(), workersBefore, "no worker restarted")
        XCTAssertFalse(s.errorLog().contains("worker died"))
    }
}
