import Foundation
import XCTest
@testable import AppCore
@testable import PaddockSQL

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

extension SQLiteConcurrencyTests {
    /// Workers start together on a database file that does not exist yet
    /// (the embedded default's first start). Turning a new file to WAL needs a
    /// moment of exclusive access, for which SQLite answers "database is
    /// locked" at once instead of waiting out the busy timeout; every worker
    /// must still open it.
    func testWorkersOpeningANewFileTogetherAllConnect() throws {
        let dir = NSTemporaryDirectory() + "paddock-sqlite-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let results = Statuses()
        for round in 0..<40 {
            let path = "\(dir)/new-\(round).db"
            let group = DispatchGroup()
            let start = DispatchTime.now() + .milliseconds(20)
            for _ in 0..<5 {
                group.enter()
                Thread.detachNewThread {
                    while DispatchTime.now() < start {}
                    let connection = SQLiteConnection(path: path)
                    do {
                        try connection.connect()
                        results.add("ok", 1)
                    } catch {
                        results.add("failed", 1)
                        results.note("\(error)")
                    }
                    connection.close()
                    group.leave()
                }
            }
            XCTAssertEqual(group.wait(timeout: .now() + 60), .success)
        }
        XCTAssertEqual(results.get("failed").count, 0, results.notes().joined(separator: "; "))
        XCTAssertEqual(results.get("ok").count, 40 * 5)
    }
}

private final class Statuses: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String: [Int]] = [:]
    func add(_ key: String, _ v: Int) { lock.lock(); storage[key, default: []].append(v); lock.unlock() }
    func get(_ key: String) -> [Int] { lock.lock(); defer { lock.unlock() }; return storage[key] ?? [] }
    private var texts: [String] = []
    func note(_ text: String) { lock.lock(); texts.append(text); lock.unlock() }
    func notes() -> [String] { lock.lock(); defer { lock.unlock() }; return texts }
}

/// Hands one application to exactly one thread (never shared).
private final class AppBox: @unchecked Sendable {
    let app: UsersApplication
    init(_ app: UsersApplication) { self.app = app }
}
