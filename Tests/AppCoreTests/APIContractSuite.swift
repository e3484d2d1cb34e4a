import Foundation
import XCTest
import ServerCore
import TestSupport
@testable import AppCore
@testable import PaddockSQL

/// The API contract of API.md as checks (`APIContractSuite+<Concern>.swift`),
/// run on SQLite in memory by `SQLiteAPIContractTests` and on a real
/// PostgreSQL by `PostgresAPIContractTests`.
class APIContractSuite: XCTestCase {
    var app: UsersApplication!
    var logPath = ""

    /// The database each test starts from, empty and migrated.
    func databaseURL() throws -> String { "sqlite:///:memory:" }

    /// Called after `start()`: subclasses on a shared database empty it here.
    func resetDatabase() throws {}

    func makeApplication(corsOrigins: [String] = [], scryptN: Int = 1024) throws -> UsersApplication {
        let (logger, path) = try makeTestLogger()
        logPath = path
        let app = try UsersApplication(configuration: testConfiguration(databaseURL: try databaseURL(), scryptN: scryptN,
                                                                        corsOrigins: corsOrigins, autoMigrate: .on),
                                       logger: logger)
        try app.start()
        return app
    }

    override func setUpWithError() throws {
        app = try makeApplication()
        try resetDatabase()
    }

    override func tearDownWithError() throws {
        app?.db.close()
        app = nil
        if !logPath.isEmpty { try FileManager.default.removeItem(atPath: logPath) }
    }

    var log: String { String(decoding: FileManager.default.contents(atPath: logPath) ?? Data(), as: UTF8.self) }

    // MARK: helpers

    @discardableResult
    func register(_ email: String = "ann@example.com", name: String = "Ann", password: String = "password123",
                  file: StaticString = #filePath, line: UInt = #line) -> Int {
        let r = app.send("POST", "/auth/register", json: jsonBody(["email": email, "name": name, "password": password]))
        XCTAssertEqual(r.status, 201, r.text, file: file, line: line)
        return r["id"]?.testInt ?? -1
    }

    /// Logs in and returns (access, refresh).
    func login(_ email: String = "ann@example.com", password: String = "password123",
               file: StaticString = #filePath, line: UInt = #line) -> (access: String, refresh: String) {
        let r = app.send("POST", "/auth/login", json: jsonBody(["email": email, "password": password]))
        XCTAssertEqual(r.status, 200, r.text, file: file, line: line)
        return (r["access_token"]?.stringValue ?? "", r["refresh_token"]?.stringValue ?? "")
    }

    /// Registers and logs in: (id, access token, refresh token).
    func user(_ email: String, name: String = "User") -> (id: Int, access: String, refresh: String) {
        let id = register(email, name: name)
        let t = login(email)
        return (id, t.access, t.refresh)
    }

    @discardableResult
    func createPost(_ token: String, title: String = "Hello", content: String = "World",
                    file: StaticString = #filePath, line: UInt = #line) -> Int {
        let r = app.send("POST", "/api/posts", json: jsonBody(["title": title, "content": content]), token: token)
        XCTAssertEqual(r.status, 201, r.text, file: file, line: line)
        return r["id"]?.testInt ?? -1
    }

    /// Asserts an error response: status, JSON `error` code and a message.
    func assertError(_ r: TestResponse, _ status: Int, _ code: String, mentioning: String? = nil,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, status, r.text, file: file, line: line)
        XCTAssertEqual(r["error"]?.stringValue, code, r.text, file: file, line: line)
        XCTAssertNotNil(r["message"]?.stringValue, r.text, file: file, line: line)
        if let mentioning {
            XCTAssertTrue(r["message"]?.stringValue?.contains(mentioning) ?? false, "\(r.text) should mention \(mentioning)",
                          file: file, line: line)
        }
    }
}
