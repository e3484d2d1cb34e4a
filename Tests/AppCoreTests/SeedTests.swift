import Foundation
import XCTest
import TestSupport
@testable import AppCore
@testable import PaddockSQL

final class SeedTests: XCTestCase {
    func seedAndCheck(url: String, users n: Int) throws {
        var lines: [String] = []
        let config = testConfiguration(databaseURL: url)
        try AppCommands.seed(configuration: config, users: n, postsPerUser: 10, force: false) { lines.append($0) }
        XCTAssertEqual(lines.last, "seeded \(n) users and \(n * 10) posts")

        let (logger, _) = try makeTestLogger()
        let app = try UsersApplication(configuration: config, logger: logger)
        try app.start()
        let users = app.send("GET", "/api/users?per_page=100")
        XCTAssertEqual(users["total"]?.testInt, n)
        XCTAssertEqual(users["users"]?.testArray.compactMap { $0["id"]?.testInt }, Array(1...min(n, 100)))
        XCTAssertEqual(users["users"]?.testArray[2]["email"]?.stringValue, "user3@example.com")
        let posts = app.send("GET", "/api/users/3/posts")
        XCTAssertEqual(posts["total"]?.testInt, 10)
        // Round-robin: user 3 owns posts 3, 33, 63, ...; newest (highest) first.
        XCTAssertEqual(posts["posts"]?.testArray.compactMap { $0["id"]?.testInt }, stride(from: 3 + 9 * n, through: 3, by: -n).map { $0 })
        let login = app.send("POST", "/auth/login", json: jsonBody(["email": "user7@example.com", "password": "password123"]))
        XCTAssertEqual(login.status, 200, login.text)
        // Sequences continue after the seeded ids.
        XCTAssertEqual(app.send("POST", "/auth/register", json: jsonBody(["email": "n@example.com", "name": "N", "password": "password123"]))["id"]?.testInt, n + 1)

        XCTAssertThrowsError(try AppCommands.seed(configuration: config, users: 5, force: false) { _ in }) {
            XCTAssertTrue("\($0)".contains("--force"), "\($0)")
        }
        try AppCommands.seed(configuration: config, users: 5, postsPerUser: 2, force: true) { _ in }
        XCTAssertEqual(app.send("GET", "/api/users")["total"]?.testInt, 5)
        XCTAssertEqual(app.send("POST", "/auth/register", json: jsonBody(["email": "m@example.com", "name": "M", "password": "password123"]))["id"]?.testInt, 6)
    }

    func testSeedSQLite() throws {
        let dir = NSTemporaryDirectory() + "paddock-seed-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try seedAndCheck(url: "sqlite:///\(dir)/seed.db", users: 30)
    }

    func testSeedPostgres() throws {
        let cluster = try PostgresCluster()
        defer { cluster.destroy() }
        try cluster.start()
        // The full benchmark data set of API.md.
        try seedAndCheck(url: cluster.url, users: 1000)
    }
}
