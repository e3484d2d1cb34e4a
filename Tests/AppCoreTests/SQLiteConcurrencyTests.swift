import Foundation
import XCTest
@testable import AppCore

/// Several connections on one SQLite file, as several worker processes
/// have: WAL and the busy timeout let every write through, and the UNIQUE
/// constraint still settles a race for one address.
final class SQLiteConcurrencyTests: XCTestCase {
    func testConcurrentWritersOnOneFile() throws {
        let dir = NSTemporaryDirectory() + "paddock-sqlite-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let url = "sqlite:///\(dir)/app.db"
        let (logger, logPath) = try makeTestLogger()
        defer { try? FileManager.default.removeItem(atPath: logPath) }

        let workers = 8, perWorker = 15
        let apps = try (0..<workers).map { _ in
            let app = try UsersApplication(configuration: testConfiguration(databaseURL: url), logger: logger)
            try app.start() // all migrate at once: BEGIN IMMEDIATE serialises them
            return app
        }
        let results = Statuses()
        let group = DispatchGroup()
        for (w, app) in apps.enumerated() {
            let box = AppBox(app)
            group.enter()
            Thread.detachNewThread {
                for i in 0..<perWorker {
                    let mine = box.app.send("POST", "/auth/register", json: jsonBody(["email": "w\(w)-\(i)@example.com", "name": "W", "password": "password123"]))
                    results.add("own", mine.status)
                    let shared = box.app.send("POST", "/auth/register", json: jsonBody(["email": "same\(i)@example.com", "name": "S", "password": "password123"]))
                    results.add("shared", shared.status)
                }
                group.leave()
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 120), .success)
        XCTAssertEqual(results.get("own"), Array(repeating: 201, count: workers * perWorker))
        let shared = results.get("shared")
        XCTAssertEqual(shared.filter { $0 == 201 }.count, perWorker, "\(shared)")
        XCTAssertEqual(shared.filter { $0 == 409 }.count, perWorker * (workers - 1), "\(shared)")
        XCTAssertEqual(apps[0].send("GET", "/api/users")["total"]?.testInt, workers * perWorker + perWorker)
        let journal = try apps[0].db.queryOne(SQLStatement("journal_mode", "PRAGMA journal_mode"), [])?.text(0)
        XCTAssertEqual(journal, "wal")
    }
}

private final class Statuses: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String: [Int]] = [:]
    func add(_ key: String, _ v: Int) { lock.lock(); storage[key, default: []].append(v); lock.unlock() }
    func get(_ key: String) -> [Int] { lock.lock(); defer { lock.unlock() }; return storage[key] ?? [] }
}

/// Hands one application to exactly one thread (never shared).
private final class AppBox: @unchecked Sendable {
    let app: UsersApplication
    init(_ app: UsersApplication) { self.app = app }
}
