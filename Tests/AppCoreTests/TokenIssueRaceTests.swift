import Foundation
import XCTest
import ServerCore
@testable import AppCore
@testable import PaddockSQL

/// A login whose password check overlaps a password change on another
/// worker: issuing waits for the change to commit, then sees it and issues
/// nothing, so no token outlives the password it was checked against.
final class TokenIssueRaceTests: XCTestCase {
    func testIssuingWaitsForAPasswordChangeInFlightThenRefuses() throws {
        let dir = NSTemporaryDirectory() + "paddock-race-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (logger, _) = try makeTestLogger()
        let app = try UsersApplication(configuration: testConfiguration(databaseURL: "sqlite:///\(dir)/app.db"), logger: logger)
        try app.start()
        defer { app.db.close() }
        XCTAssertEqual(app.send("POST", "/auth/register", json: jsonBody(["email": "ann@example.com", "name": "Ann", "password": "password123"])).status, 201)
        // What the login read before checking the password.
        let checked = try User(row: try XCTUnwrap(try app.db.queryOne(Queries.userByID, [.int(1)])))

        // Another worker is changing the password right now.
        let other = SQLiteConnection(path: dir + "/app.db")
        defer { other.close() }
        try other.begin(write: true)
        try other.execute(SQLStatement("change", "UPDATE users SET password_hash = 'changed' WHERE id = 1"), [])

        let outcome = Outcome()
        let finished = DispatchSemaphore(value: 0)
        let box = AppRef(app)
        Thread.detachNewThread {
            do { outcome.set(try box.app.issueInstant(for: checked).map { "issued at \($0)" } ?? "refused") } catch { outcome.set("error: \(error)") }
            finished.signal()
        }
        // Not readiness: time for the issuing thread to reach the database
        // while the change is uncommitted. A plain read would return at once
        // with the old hash and issue.
        XCTAssertEqual(finished.wait(timeout: .now() + 0.5), .timedOut, "issuing waits for the change in flight: \(outcome.value)")
        try other.commit()
        XCTAssertEqual(finished.wait(timeout: .now() + 10), .success)
        XCTAssertEqual(outcome.value, "refused")
    }
}

private final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    private var text = "unfinished"
    func set(_ v: String) { lock.lock(); text = v; lock.unlock() }
    var value: String { lock.lock(); defer { lock.unlock() }; return text }
}

private final class AppRef: @unchecked Sendable {
    let app: UsersApplication
    init(_ app: UsersApplication) { self.app = app }
}
