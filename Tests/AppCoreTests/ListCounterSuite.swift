import Foundation
import XCTest
import ServerCore
@testable import AppCore
@testable import PaddockSQL

/// The trigger-kept counts behind the lists' totals and deep pages, checked
/// the same way on SQLite and PostgreSQL. XCTest on Linux runs only the
/// test methods a class declares, so each backend's subclass lists the checks.
class ListCounterSuite: XCTestCase {
    /// A fresh, empty database for one test.
    func databaseURL() throws -> String { throw XCTSkip("abstract suite") }

    var logger: Logger!
    var logPath = ""

    override func setUpWithError() throws {
        (logger, logPath) = try makeTestLogger()
    }

    func makeApp(_ url: String) throws -> UsersApplication {
        let app = try UsersApplication(configuration: testConfiguration(databaseURL: url, autoMigrate: .on), logger: logger)
        try app.start()
        return app
    }

    func scalar(_ app: UsersApplication, _ sql: String) throws -> Int {
        try XCTUnwrap(try app.db.queryOne(SQLStatement("test_scalar_\(sql.hashValue & 0xffff)", sql), [])?.int(0), sql)
    }

    /// Users `1...count` written straight into the table, as another
    /// application would, without the API (one statement, both dialects).
    func insertUsers(_ app: UsersApplication, _ ids: ClosedRange<Int>) throws {
        let now = DatabaseTimestamp.now()
        try app.db.executeScript("""
            WITH RECURSIVE s(i) AS (SELECT \(ids.lowerBound) UNION ALL SELECT i + 1 FROM s WHERE i < \(ids.upperBound))
            INSERT INTO users (id, email, name, password_hash, created_at, updated_at)
            SELECT i, 'bulk' || i || '@example.com', 'Bulk', 'not-a-hash', '\(now)', '\(now)' FROM s
            """)
    }

    /// `page` as the old query computes it: the reference for the seek.
    func referenceIDs(_ app: UsersApplication, page: Int, perPage: Int) throws -> [Int] {
        try app.db.query(SQLStatement("test_reference_page", "SELECT id FROM users ORDER BY id LIMIT $1 OFFSET $2"),
                         [.int(perPage), .int((page - 1) * perPage)]).compactMap { $0.int(0) }
    }

    func ids(_ r: TestResponse) -> [Int] { r["users"]?.testArray.compactMap { $0["id"]?.testInt } ?? [] }

    // MARK: checks

    /// Whoever writes, the totals follow; and they are read from the
    /// counts, not counted: a count changed behind the triggers' back shows.
    func checkTotalsFollowEveryWriterAndComeFromTheCounts() throws {
        let app = try makeApp(try databaseURL())
        var ids: [Int] = []
        for i in 0..<3 {
            let r = app.send("POST", "/auth/register", json: jsonBody(["email": "c\(i)@example.com", "name": "C", "password": "password123"]))
            XCTAssertEqual(r.status, 201, r.text)
            ids.append(r["id"]?.testInt ?? 0)
        }
        XCTAssertEqual(app.send("GET", "/api/users")["total"]?.testInt, 3)
        // Another application's writes, straight to the tables.
        try insertUsers(app, 50_000...50_001)
        let now = DatabaseTimestamp.now()
        try app.db.executeScript("""
            INSERT INTO posts (user_id, title, content, created_at, updated_at) VALUES (\(ids[0]), 'a', 'b', '\(now)', '\(now)');
            INSERT INTO posts (user_id, title, content, created_at, updated_at) VALUES (\(ids[0]), 'c', 'd', '\(now)', '\(now)');
            INSERT INTO posts (user_id, title, content, created_at, updated_at) VALUES (50000, 'e', 'f', '\(now)', '\(now)');
            DELETE FROM posts WHERE title = 'c';
            DELETE FROM posts WHERE user_id = 50001;
            DELETE FROM users WHERE id = 50001;
            UPDATE posts SET user_id = \(ids[1]) WHERE title = 'e';
            """)
        let list = app.send("GET", "/api/users")
        XCTAssertEqual(list["total"]?.testInt, 4, list.text)
        XCTAssertEqual(list["total"]?.testInt, try scalar(app, "SELECT count(*) FROM users"))
        XCTAssertEqual(app.send("GET", "/api/users/\(ids[0])/posts")["total"]?.testInt, 1)
        XCTAssertEqual(app.send("GET", "/api/users/\(ids[1])/posts")["total"]?.testInt, 1)
        XCTAssertEqual(app.send("GET", "/api/users/50000/posts")["total"]?.testInt, 0)

        try app.db.executeScript("UPDATE user_count_shards SET n = n + 1000 WHERE shard = (SELECT min(shard) FROM user_count_shards)")
        try app.db.executeScript("UPDATE post_counts SET n = n + 7 WHERE user_id = \(ids[0]) AND shard = (SELECT min(shard) FROM post_counts WHERE user_id = \(ids[0]))")
        XCTAssertEqual(app.send("GET", "/api/users")["total"]?.testInt, 1004)
        XCTAssertEqual(app.send("GET", "/api/users/\(ids[0])/posts")["total"]?.testInt, 8)
    }

    /// A database another application filled before migration 5: the
    /// migration counts what is there, and pages found through the counts
    /// match `LIMIT/OFFSET` exactly, with gaps everywhere (a whole block of
    /// ids missing, every seventh id deleted, ids far apart at the end).
    func checkBackfilledCountsSeekEveryPageExactlyWithGaps() throws {
        let url = try databaseURL()
        let app = try makeApp(url)
        try insertUsers(app, 1...5_000)
        try insertUsers(app, 90_000...90_010)
        try app.db.executeScript("DELETE FROM users WHERE id % 7 = 0 OR id BETWEEN 1024 AND 2100 OR id = 4095")
        // Forget the counts and rebuild them as migration 5 does on an old database.
        try app.db.executeScript("DELETE FROM user_count_shards; DELETE FROM user_id_block_counts; DELETE FROM user_id_superblock_counts; DELETE FROM post_counts; DELETE FROM schema_migrations WHERE version = 5")
        try app.db.executeScript(app.db.dialect == .postgres ? """
            DROP TRIGGER users_counted ON users; DROP TRIGGER posts_counted ON posts; DROP TRIGGER posts_recounted ON posts;
            DROP TRIGGER users_truncated ON users; DROP TRIGGER posts_truncated ON posts;
            DROP FUNCTION paddock_count_users(); DROP FUNCTION paddock_count_posts(); DROP FUNCTION paddock_count_truncated();
            DROP TABLE user_count_shards; DROP TABLE user_id_block_counts; DROP TABLE user_id_superblock_counts; DROP TABLE post_counts;
            """ : """
            DROP TABLE user_count_shards; DROP TABLE user_id_block_counts; DROP TABLE user_id_superblock_counts; DROP TABLE post_counts;
            DROP TRIGGER users_counted_insert; DROP TRIGGER users_counted_delete; DROP TRIGGER posts_counted_insert;
            DROP TRIGGER posts_counted_delete; DROP TRIGGER posts_recounted;
            """)
        XCTAssertEqual(try Migrations.migrate(app.db, logger: logger), ["applied 5 counts kept by triggers"])
        let migrated = try makeApp(url)

        let count = try scalar(migrated, "SELECT count(*) FROM users")
        for perPage in [1, 20, 100] {
            let pages = (count + perPage - 1) / perPage
            let r1 = migrated.send("GET", "/api/users?per_page=\(perPage)")
            XCTAssertEqual(r1["total"]?.testInt, count)
            XCTAssertEqual(r1["pages"]?.testInt, pages)
            var probes = Set([1, 2, pages - 1, pages, pages + 1, 1023 / perPage + 1, 2048 / perPage + 1])
            for i in stride(from: 1, through: pages, by: max(1, pages / 37)) { probes.insert(i) }
            for page in probes.sorted() where page >= 1 {
                let r = migrated.send("GET", "/api/users?page=\(page)&per_page=\(perPage)")
                XCTAssertEqual(r.status, 200, r.text)
                XCTAssertEqual(ids(r), try referenceIDs(migrated, page: page, perPage: perPage), "page \(page) per_page \(perPage)")
                XCTAssertEqual(r["page"]?.testInt, page)
            }
        }
    }

    /// `after_id` walks the whole list in order, with the page each slice
    /// starts in, whatever the gaps.
    func checkAfterIDCursorWalksTheWholeList() throws {
        let app = try makeApp(try databaseURL())
        try insertUsers(app, 1...3_000)
        try insertUsers(app, 40_000...40_100) // another superblock
        try app.db.executeScript("DELETE FROM users WHERE id % 5 = 0 OR id BETWEEN 1000 AND 1500")
        let all = try app.db.query(SQLStatement("test_all_ids", "SELECT id FROM users ORDER BY id"), []).compactMap { $0.int(0) }
        var seen: [Int] = []
        var after = 0
        for step in 0..<200 {
            let r = app.send("GET", "/api/users?after_id=\(after)&per_page=50")
            XCTAssertEqual(r.status, 200, r.text)
            XCTAssertEqual(r["total"]?.testInt, all.count)
            let slice = ids(r)
            if slice.isEmpty { break }
            XCTAssertEqual(r["page"]?.testInt, step + 1, "after \(after)")
            seen += slice
            after = slice.last!
        }
        XCTAssertEqual(seen, all)
        XCTAssertEqual(app.send("GET", "/api/users?after_id=-1").status, 400)
        XCTAssertEqual(app.send("GET", "/api/users?after_id=3&page=2").status, 400)
    }

    /// Fifty clients at once, each on its own connection as fifty workers
    /// would be: half register, half delete their accounts (and posts).
    /// Afterwards every count equals what `COUNT(*)` finds.
    func checkConcurrentRegistrationsAndDeletionsKeepTotalsExact() throws {
        let url = try databaseURL()
        let setup = try makeApp(url)
        let clients = 50, deleters = 25
        var doomed: [(id: Int, token: String)] = []
        for i in 0..<deleters {
            let r = setup.send("POST", "/auth/register", json: jsonBody(["email": "d\(i)@example.com", "name": "D", "password": "password123"]))
            XCTAssertEqual(r.status, 201, r.text)
            let login = setup.send("POST", "/auth/login", json: jsonBody(["email": "d\(i)@example.com", "password": "password123"]))
            let token = login["access_token"]?.stringValue ?? ""
            XCTAssertEqual(setup.send("POST", "/api/posts", json: jsonBody(["title": "t", "content": "c"]), token: token).status, 201)
            doomed.append((r["id"]?.testInt ?? 0, token))
        }
        let keeper = setup.send("POST", "/auth/register", json: jsonBody(["email": "keep@example.com", "name": "K", "password": "password123"]))
        let keeperToken = setup.send("POST", "/auth/login", json: jsonBody(["email": "keep@example.com", "password": "password123"]))["access_token"]?.stringValue ?? ""
        let apps = try (0..<clients).map { _ in try makeApp(url) }
        let statuses = CounterStatuses(count: clients)
        let group = DispatchGroup()
        let gate = DispatchSemaphore(value: 0)
        for (i, app) in apps.enumerated() {
            let box = CounterAppBox(app)
            let victim = i < deleters ? doomed[i] : nil
            group.enter()
            Thread.detachNewThread {
                gate.wait()
                if let victim {
                    statuses.set(i, box.app.send("DELETE", "/api/users/\(victim.id)", token: victim.token).status)
                } else {
                    let r = box.app.send("POST", "/auth/register", json: jsonBody(["email": "n\(i)@example.com", "name": "N", "password": "password123"]))
                    let post = box.app.send("POST", "/api/posts", json: jsonBody(["title": "k\(i)", "content": "c"]), token: keeperToken)
                    statuses.set(i, r.status * 1000 + post.status)
                }
                group.leave()
            }
        }
        for _ in 0..<clients { gate.signal() }
        XCTAssertEqual(group.wait(timeout: .now() + 120), .success)
        let result = statuses.values
        XCTAssertEqual(result.filter { $0 == 204 }.count, deleters, "\(result)")
        XCTAssertEqual(result.filter { $0 == 201_201 }.count, clients - deleters, "\(result)")

        let list = setup.send("GET", "/api/users")
        XCTAssertEqual(list["total"]?.testInt, clients - deleters + 1)
        XCTAssertEqual(list["total"]?.testInt, try scalar(setup, "SELECT count(*) FROM users"))
        XCTAssertEqual(try scalar(setup, "SELECT CAST(sum(n) AS BIGINT) FROM user_id_block_counts"), try scalar(setup, "SELECT count(*) FROM users"))
        XCTAssertEqual(try scalar(setup, "SELECT CAST(sum(n) AS BIGINT) FROM user_id_superblock_counts"), try scalar(setup, "SELECT count(*) FROM users"))
        XCTAssertEqual(try scalar(setup, "SELECT CAST(coalesce(sum(n), 0) AS BIGINT) FROM post_counts"), try scalar(setup, "SELECT count(*) FROM posts"))
        XCTAssertEqual(setup.send("GET", "/api/users/\(keeper["id"]?.testInt ?? 0)/posts")["total"]?.testInt, clients - deleters)
        for victim in doomed {
            XCTAssertEqual(try scalar(setup, "SELECT count(*) FROM post_counts WHERE user_id = \(victim.id)"), 0)
        }
        for app in apps { app.db.close() }
    }
}

/// Results written by many threads.
final class CounterStatuses: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Int]
    init(count: Int) { storage = Array(repeating: 0, count: count) }
    func set(_ i: Int, _ v: Int) { lock.lock(); storage[i] = v; lock.unlock() }
    var values: [Int] { lock.lock(); defer { lock.unlock() }; return storage }
}

/// Hands one application to exactly one thread (it is never shared).
final class CounterAppBox: @unchecked Sendable {
    let app: UsersApplication
    init(_ app: UsersApplication) { self.app = app }
}

/// The suite on a SQLite file per test.
final class SQLiteListCounterTests: ListCounterSuite {
    var directory = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        directory = NSTemporaryDirectory() + "paddock-counts-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(atPath: directory)
    }

    override func databaseURL() throws -> String { "sqlite:///\(directory)/app.db" }

    func testTotalsFollowEveryWriterAndComeFromTheCounts() throws { try checkTotalsFollowEveryWriterAndComeFromTheCounts() }
    func testBackfilledCountsSeekEveryPageExactlyWithGaps() throws { try checkBackfilledCountsSeekEveryPageExactlyWithGaps() }
    func testAfterIDCursorWalksTheWholeList() throws { try checkAfterIDCursorWalksTheWholeList() }
    func testConcurrentRegistrationsAndDeletionsKeepTotalsExact() throws { try checkConcurrentRegistrationsAndDeletionsKeepTotalsExact() }
}
