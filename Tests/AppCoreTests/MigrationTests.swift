import Foundation
import XCTest
import ServerCore
import TestSupport
@testable import AppCore
@testable import PaddockSQL

/// Migrations on SQLite files (and one PostgreSQL run): idempotent, adopt a
/// database the Flask stack created, and refuse to start on a missing schema
/// when auto_migrate is off.
final class MigrationTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "paddock-migrations-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(atPath: directory)
    }

    var url: String { "sqlite:///" + directory + "/app.db" }

    func testMigrateIsIdempotent() throws {
        let (logger, _) = try makeTestLogger()
        let db = SQLiteConnection(path: directory + "/app.db")
        let first = try Migrations.migrate(db, logger: logger)
        XCTAssertEqual(first, ["applied 1 create users and posts", "applied 2 index posts by author and date",
                               "applied 3 record when tokens stop being valid", "applied 4 never reuse ids on SQLite",
                               "applied 5 counts kept by triggers"])
        XCTAssertEqual(try Migrations.migrate(db, logger: logger), [])
        let status = try Migrations.status(db)
        XCTAssertTrue(status.tablesExist)
        XCTAssertEqual(status.version, Migrations.latestVersion)
        // A second connection (another worker) finds nothing to do either.
        XCTAssertEqual(try Migrations.migrate(SQLiteConnection(path: directory + "/app.db"), logger: logger), [])
        try AppCommands.migrate(configuration: testConfiguration(databaseURL: url), logger: logger)
    }

    /// The schema exactly as Flask-SQLAlchemy creates it on SQLite, with a row in its timestamp format.
    func testAdoptsExistingFlaskDatabase() throws {
        let flask = SQLiteConnection(path: directory + "/app.db")
        try flask.executeScript("""
            CREATE TABLE users (id INTEGER NOT NULL, email VARCHAR(255) NOT NULL, name VARCHAR(100) NOT NULL,
                password_hash VARCHAR(255) NOT NULL, created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL,
                PRIMARY KEY (id), UNIQUE (email));
            CREATE TABLE posts (id INTEGER NOT NULL, user_id INTEGER NOT NULL, title VARCHAR(200) NOT NULL,
                content TEXT NOT NULL, created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL,
                PRIMARY KEY (id), FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE);
            CREATE INDEX ix_posts_user_id ON posts (user_id);
            """)
        // A password hash made by Werkzeug, as the Flask stack stored it.
        let vector = try XCTUnwrap(CompatVectors.passwords.first { $0.valid && $0.password == "password123" })
        try flask.execute(SQLStatement("flask_user", "INSERT INTO users VALUES (1, $1, 'Old', $2, '2024-01-01 00:01:00.000000', '2024-01-01 00:01:00.250000')"),
                          [.text("old@example.com"), .text(vector.hash)])
        try flask.executeScript("INSERT INTO posts VALUES (1, 1, 'Old post', 'Text', '2024-01-02 03:04:05.000000', '2024-01-02 03:04:05.000000')")
        flask.close()

        let (logger, _) = try makeTestLogger()
        let db = SQLiteConnection(path: directory + "/app.db")
        let done = try Migrations.migrate(db, logger: logger)
        XCTAssertEqual(done.first, "baseline 1 create users and posts: users and posts already exist")
        XCTAssertEqual(done.last, "applied 5 counts kept by triggers")
        XCTAssertEqual(try Migrations.migrate(db, logger: logger), [])

        let app = try UsersApplication(configuration: testConfiguration(databaseURL: url), logger: logger)
        try app.start()
        let user = app.send("GET", "/api/users/1")
        XCTAssertEqual(user.status, 200, user.text)
        XCTAssertEqual(user["created_at"]?.stringValue, "2024-01-01T00:01:00+00:00")
        XCTAssertEqual(user["updated_at"]?.stringValue, "2024-01-01T00:01:00.250000+00:00")
        let login = app.send("POST", "/auth/login", json: jsonBody(["email": "old@example.com", "password": "password123"]))
        XCTAssertEqual(login.status, 200, login.text)
        let posts = app.send("GET", "/api/users/1/posts")
        XCTAssertEqual(posts["posts"]?.testArray.first?["created_at"]?.stringValue, "2024-01-02T03:04:05+00:00")
        // New rows go next to the old ones.
        let r = app.send("POST", "/auth/register", json: jsonBody(["email": "new@example.com", "name": "New", "password": "password123"]))
        XCTAssertEqual(r["id"]?.testInt, 2, r.text)
        // Stored so that SQLAlchemy (which matches `YYYY-MM-DD HH:MM:SS.ffffff`
        // at the start) still reads it, and text order stays time order.
        let stored = try db.queryOne(SQLStatement("raw_created", "SELECT created_at FROM users WHERE id = 2"), [])?.text(0) ?? ""
        let chars = Array(stored)
        XCTAssertEqual(chars.count, 32, stored)
        XCTAssertEqual(chars[10], " ", stored)
        XCTAssertEqual(chars[19], ".", stored)
        XCTAssertGreaterThan(stored, "2024-01-01 00:01:00.000000")
    }

    func testMissingSchemaWithAutoMigrateOffNamesTheCommand() throws {
        let (logger, _) = try makeTestLogger()
        let app = try UsersApplication(configuration: testConfiguration(databaseURL: url, autoMigrate: .off), logger: logger)
        // The worker starts anyway and says what to do in every 503.
        XCTAssertNoThrow(try app.start())
        let r = app.send("GET", "/api/users")
        XCTAssertEqual(r.status, 503, r.text)
        XCTAssertTrue(r["message"]?.stringValue?.contains("paddock migrate") == true, r.text)
        let ready = app.send("GET", "/health/ready")
        XCTAssertEqual(ready.status, 503, ready.text)
        XCTAssertTrue(ready["message"]?.stringValue?.contains("paddock migrate") == true, ready.text)
        try AppCommands.migrate(configuration: testConfiguration(databaseURL: url), logger: logger)
        // The same instance checks again and serves once the tables exist.
        let deadline = Date().addingTimeInterval(5)
        var status = 0
        while Date() < deadline {
            status = app.send("GET", "/api/users").status
            if status == 200 { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTAssertEqual(status, 200)
        XCTAssertEqual(app.send("GET", "/health/ready").status, 200)
    }

    func testAutoMigrateDefaults() throws {
        XCTAssertTrue(try Database.autoMigrates(testConfiguration(databaseURL: "sqlite:///x.db")))
        XCTAssertFalse(try Database.autoMigrates(testConfiguration(databaseURL: "postgresql://h/db")))
        XCTAssertTrue(try Database.autoMigrates(testConfiguration(databaseURL: "postgresql://h/db", autoMigrate: .on)))
        XCTAssertFalse(try Database.autoMigrates(testConfiguration(databaseURL: "sqlite:///x.db", autoMigrate: .off)))
    }

    func testPostgresMigrationsAdoptFlaskSchemaAndRunOnce() throws {
        let cluster = try PostgresCluster()
        defer { cluster.destroy() }
        try cluster.start()
        try cluster.createDatabase("flask")
        try cluster.psql("""
            CREATE TABLE users (id SERIAL PRIMARY KEY, email VARCHAR(255) NOT NULL UNIQUE, name VARCHAR(100) NOT NULL,
                password_hash VARCHAR(255) NOT NULL, created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL);
            CREATE TABLE posts (id SERIAL PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                title VARCHAR(200) NOT NULL, content TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL);
            CREATE INDEX ix_posts_user_id ON posts (user_id);
            INSERT INTO users (email, name, password_hash, created_at, updated_at)
                VALUES ('old@example.com', 'Old', 'x', '2024-01-01 00:01:00+00', '2024-01-01 00:01:00.123456+00');
            """, database: "flask")
        let (logger, _) = try makeTestLogger()
        let config = testConfiguration(databaseURL: cluster.url(database: "flask"))
        // auto_migrate resolves to off for PostgreSQL: start works on the adopted tables (with a warning).
        let app = try UsersApplication(configuration: config, logger: logger)
        try app.start()
        let user = app.send("GET", "/api/users/1")
        XCTAssertEqual(user["created_at"]?.stringValue, "2024-01-01T00:01:00+00:00")
        XCTAssertEqual(user["updated_at"]?.stringValue, "2024-01-01T00:01:00.123456+00:00")

        // Several migrators at once: the advisory lock serialises them, one does the work.
        let dbs = (0..<4).map { _ in PostgresConnection(uri: cluster.url(database: "flask"), connectTimeout: .seconds(2), statementTimeout: .seconds(10), logger: logger) }
        let results = ResultsBox()
        let group = DispatchGroup()
        for db in dbs {
            let box = Box(db)
            group.enter()
            Thread.detachNewThread {
                do { results.append(try Migrations.migrate(box.value, logger: logger)) } catch { results.append(["error: \(error)"]) }
                group.leave()
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 30), .success)
        let all = results.values.flatMap { $0 }
        XCTAssertEqual(all.sorted(), ["applied 2 index posts by author and date", "applied 3 record when tokens stop being valid",
                                      "applied 4 never reuse ids on SQLite", "applied 5 counts kept by triggers",
                                      "baseline 1 create users and posts: users and posts already exist"])

        try cluster.createDatabase("empty")
        let off = try UsersApplication(configuration: testConfiguration(databaseURL: cluster.url(database: "empty")), logger: logger)
        XCTAssertNoThrow(try off.start())
        let missing = off.send("GET", "/api/users")
        XCTAssertEqual(missing.status, 503, missing.text)
        XCTAssertTrue(missing.text.contains("paddock migrate"), missing.text)
    }
}

private final class ResultsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [[String]] = []
    func append(_ v: [String]) { lock.lock(); storage.append(v); lock.unlock() }
    var values: [[String]] { lock.lock(); defer { lock.unlock() }; return storage }
}

private final class Box<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
