import Foundation
import TestSupport
import XCTest

/// Account and token safety through the real binaries (users application on
/// its default SQLite file, two workers): a password change or a deleted
/// account ends every token issued before it, on every worker, and a new
/// account never inherits a deleted one's id.
final class AccountSafetyTests: XCTestCase {
    var server: ServerProcess?

    override func tearDown() {
        if let server {
            server.stopGracefully()
            XCTAssertEqual(server.unexpectedErrorLines(), [])
        }
        server = nil
        super.tearDown()
    }

    func json(_ value: [String: Any]) -> [UInt8] { Array(try! JSONSerialization.data(withJSONObject: value)) }

    /// One request on a new connection, so successive requests spread over the workers.
    func send(_ method: String, _ path: String, body: [String: Any]? = nil, token: String? = nil) throws -> HTTPTestClient.Response {
        var headers: [(String, String)] = []
        if body != nil { headers.append(("Content-Type", "application/json")) }
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        return try HTTPTestClient(port: try XCTUnwrap(server).port).request(method, path, headers: headers,
                                                                           body: body.map(json) ?? [], close: true)
    }

    func register(_ email: String, password: String = "password123") throws -> Int {
        let r = try send("POST", "/auth/register", body: ["email": email, "name": "N", "password": password])
        XCTAssertEqual(r.status, 201, r.bodyText)
        return try XCTUnwrap(r.json?["id"] as? Int)
    }

    func login(_ email: String, password: String = "password123") throws -> (access: String, refresh: String) {
        let r = try send("POST", "/auth/login", body: ["email": email, "password": password])
        XCTAssertEqual(r.status, 200, r.bodyText)
        return (try XCTUnwrap(r.json?["access_token"] as? String), try XCTUnwrap(r.json?["refresh_token"] as? String))
    }

    /// Every worker refuses the tokens: a few requests each, on fresh connections.
    func assertRejected(_ tokens: (access: String, refresh: String), _ label: String,
                        file: StaticString = #filePath, line: UInt = #line) throws {
        for _ in 0..<4 {
            let me = try send("GET", "/auth/me", token: tokens.access)
            XCTAssertEqual(me.status, 401, "\(label): \(me.bodyText)", file: file, line: line)
            XCTAssertEqual(me.json?["error"] as? String, "unauthorized", file: file, line: line)
            let refresh = try send("POST", "/auth/refresh", token: tokens.refresh)
            XCTAssertEqual(refresh.status, 401, "\(label): \(refresh.bodyText)", file: file, line: line)
        }
    }

    func testPasswordChangeAndDeletionEndEarlierTokensAndIdsAreNotReused() throws {
        let s = try ServerProcess(arguments: ["--workers", "2", "--database-url", "sqlite:///app.db", "--password-scrypt-n", "1024"],
                                  environment: ["PADDOCK_JWT_SECRET_KEY": "account-safety-test-secret-0123456789"])
        server = s
        try s.waitReady()

        let ann = try register("ann@example.com")
        let first = try login("ann@example.com")
        XCTAssertEqual(try send("GET", "/auth/me", token: first.access).status, 200)

        let change = try send("PUT", "/api/users/\(ann)", body: ["password": "new-password"], token: first.access)
        XCTAssertEqual(change.status, 200, change.bodyText)
        try assertRejected(first, "tokens from before the password change")
        let second = try login("ann@example.com", password: "new-password")
        for _ in 0..<4 {
            XCTAssertEqual(try send("GET", "/auth/me", token: second.access).status, 200)
            XCTAssertEqual(try send("POST", "/auth/refresh", token: second.refresh).status, 200)
        }

        XCTAssertEqual(try send("DELETE", "/api/users/\(ann)", token: second.access).status, 204)
        let bob = try register("bob@example.com")
        XCTAssertGreaterThan(bob, ann, "the deleted account's id is not handed out again")
        try assertRejected(first, "tokens of the deleted account")
        try assertRejected(second, "tokens of the deleted account")
        let bobs = try login("bob@example.com")
        XCTAssertEqual(try send("GET", "/auth/me", token: bobs.access).json?["email"] as? String, "bob@example.com")

        // The limits answer 400 and 404, not 500.
        let long = try send("POST", "/auth/login", body: ["email": "bob@example.com", "password": String(repeating: "p", count: 1025)])
        XCTAssertEqual(long.status, 400, long.bodyText)
        XCTAssertEqual(try send("GET", "/api/users/99999999999").status, 404)
        let badSubject = try send("GET", "/api/users/99999999999/posts")
        XCTAssertEqual(badSubject.status, 404, badSubject.bodyText)
    }

    /// Resident memory of `pid` in KiB, from /proc.
    func residentKiB(_ pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try XCTUnwrap(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
        return try XCTUnwrap(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
    }

    /// The hash an unknown e-mail is checked against costs a worker nothing
    /// until someone logs in: at Werkzeug's default cost, deriving a real one
    /// at start would leave every worker holding scrypt's 32 MiB block.
    func testIdleWorkersHoldNoPasswordHashingMemory() throws {
        let s = try ServerProcess(arguments: ["--workers", "2", "--database-url", "sqlite:///app.db"],
                                  environment: ["PADDOCK_JWT_SECRET_KEY": "account-safety-test-secret-0123456789"])
        server = s
        try s.waitReady()
        let workers = s.workerPids()
        XCTAssertEqual(workers.count, 2)
        for (slot, pid) in workers {
            let kib = try residentKiB(pid)
            XCTAssertLessThan(kib, 28 * 1024, "worker \(slot) holds \(kib) KiB at rest before any login")
        }
        // An unknown e-mail still costs a full hash at the default cost.
        let unknown = try send("POST", "/auth/login", body: ["email": "nobody@example.com", "password": "password123"])
        XCTAssertEqual(unknown.status, 401, unknown.bodyText)
    }
}
