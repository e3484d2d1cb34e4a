import Foundation
import XCTest
import ServerCore
@testable import AppCore
@testable import PaddockSQL

/// SQLite hands the highest deleted rowid out again unless the key is
/// AUTOINCREMENT, and the Flask application's schema has none. Migrations
/// rebuild the tables so ids are monotonic, keeping every row, key and
/// index; tokens die with the account even where ids are still reused.
final class SQLiteIdReuseTests: XCTestCase {
    var directory = ""
    var path: String { directory + "/app.db" }
    var url: String { "sqlite:///" + path }

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "paddock-ids-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(atPath: directory)
    }

    /// The schema exactly as Flask-SQLAlchemy creates it on SQLite.
    func createFlaskSchema(_ db: SQLiteConnection) throws {
        try db.executeScript("""
            CREATE TABLE users (id INTEGER NOT NULL, email VARCHAR(255) NOT NULL, name VARCHAR(100) NOT NULL,
                password_hash VARCHAR(255) NOT NULL, created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL,
                PRIMARY KEY (id), UNIQUE (email));
            CREATE TABLE posts (id INTEGER NOT NULL, user_id INTEGER NOT NULL, title VARCHAR(200) NOT NULL,
                content TEXT NOT NULL, created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL,
                PRIMARY KEY (id), FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE);
            CREATE INDEX ix_posts_user_id ON posts (user_id);
            """)
    }

    /// What Flask-SQLAlchemy sends: no id, SQLAlchemy's naive timestamp.
    static let flaskInsertUser = SQLStatement("flask_insert_user", """
        INSERT INTO users (email, name, password_hash, created_at, updated_at)
        VALUES ($1, 'F', 'x', '2024-01-01 00:00:00.000000', '2024-01-01 00:00:00.000000') RETURNING id
        """)

    func scalar(_ db: DatabaseConnection, _ sql: String) throws -> String? {
        try db.queryOne(SQLStatement("scalar_\(sql.hashValue)", sql), [])?.text(0)
    }

    func testFlaskDatabaseIsRebuiltWithMonotonicIdsKeepingRowsKeysAndIndexes() throws {
        let flask = SQLiteConnection(path: path)
        try createFlaskSchema(flask)
        // As the Flask stack writes SQLite: foreign keys off, so an orphan can exist.
        try flask.executeScript("""
            PRAGMA foreign_keys=OFF;
            INSERT INTO users VALUES (1, 'a@example.com', 'A', 'h1', '2024-01-01 00:00:01.000000', '2024-01-01 00:00:01.000000');
            INSERT INTO users VALUES (2, 'b@example.com', 'B', 'h2', '2024-01-01 00:00:02.000000', '2024-01-01 00:00:02.500000');
            INSERT INTO posts VALUES (1, 1, 'T1', 'C1', '2024-01-02 00:00:00.000000', '2024-01-02 00:00:00.000000');
            INSERT INTO posts VALUES (2, 2, 'T2', 'C2', '2024-01-02 00:00:01.000000', '2024-01-02 00:00:01.000000');
            INSERT INTO posts VALUES (3, 7, 'Orphan', 'of a user deleted with foreign keys off', '2024-01-02 00:00:02.000000', '2024-01-02 00:00:02.000000');
            """)
        flask.close()

        let (logger, _) = try makeTestLogger()
        let db = SQLiteConnection(path: path)
        let done = try Migrations.migrate(db, logger: logger)
        XCTAssertTrue(done.contains("applied 4 never reuse ids on SQLite"), "\(done)")
        XCTAssertEqual(try Migrations.migrate(db, logger: logger), [])

        // Every row, as it was.
        let users = try db.query(SQLStatement("all_users", "SELECT id, email, name, password_hash, created_at, updated_at FROM users ORDER BY id"), [])
        XCTAssertEqual(users.map(\.values), [
            [.int(1), .text("a@example.com"), .text("A"), .text("h1"), .text("2024-01-01 00:00:01.000000"), .text("2024-01-01 00:00:01.000000")],
            [.int(2), .text("b@example.com"), .text("B"), .text("h2"), .text("2024-01-01 00:00:02.000000"), .text("2024-01-01 00:00:02.500000")],
        ])
        XCTAssertEqual(try scalar(db, "SELECT group_concat(id || ':' || user_id || ':' || title, ',') FROM (SELECT * FROM posts ORDER BY id)"),
                       "1:1:T1,2:2:T2,3:7:Orphan")
        // Keys and indexes.
        XCTAssertTrue(try scalar(db, "SELECT sql FROM sqlite_master WHERE name = 'users'")?.contains("AUTOINCREMENT") ?? false)
        XCTAssertTrue(try scalar(db, "SELECT sql FROM sqlite_master WHERE name = 'posts'")?.contains("AUTOINCREMENT") ?? false)
        XCTAssertEqual(try scalar(db, "SELECT \"table\" || ':' || \"from\" || ':' || \"to\" || ':' || on_delete FROM pragma_foreign_key_list('posts')"),
                       "users:user_id:id:CASCADE")
        XCTAssertEqual(try scalar(db, "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'posts' AND sql IS NOT NULL ORDER BY name)"),
                       "ix_posts_user_id,ix_posts_user_id_created_at")
        XCTAssertEqual(try scalar(db, "SELECT count(*) FROM pragma_index_list('users') WHERE \"unique\" = 1"), "1", "email stays UNIQUE")
        XCTAssertEqual(try scalar(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE '%_rebuild'"), "0")

        // The Flask application's INSERT still works, and never gets an id
        // that was used: not the deleted top one, not the orphan's user.
        try db.execute(SQLStatement("delete_b", "DELETE FROM users WHERE id = 2"), [])
        XCTAssertEqual(try scalar(db, "SELECT count(*) FROM posts WHERE user_id = 2"), "0", "ON DELETE CASCADE still holds")
        let next = try XCTUnwrap(try db.queryOne(Self.flaskInsertUser, [.text("c@example.com")])?.int(0))
        XCTAssertGreaterThan(next, 7)
        XCTAssertThrowsError(try db.execute(SQLStatement("bad_post", "INSERT INTO posts (user_id, title, content, created_at, updated_at) VALUES (999, 't', 'c', 'x', 'x')"), []),
                             "the foreign key is enforced")
        XCTAssertEqual(try scalar(db, "PRAGMA foreign_keys"), "1", "foreign keys are back on after the rebuild")
    }

    /// Workers starting together on a Flask database rebuild it once.
    func testWorkersMigratingTogetherRebuildOnce() throws {
        let flask = SQLiteConnection(path: path)
        try createFlaskSchema(flask)
        for i in 1...50 { _ = try flask.queryOne(Self.flaskInsertUser, [.text("u\(i)@example.com")]) }
        flask.close()
        let (logger, _) = try makeTestLogger()
        let lines = Lines()
        let group = DispatchGroup()
        for _ in 0..<4 {
            group.enter()
            let p = path
            Thread.detachNewThread {
                let db = SQLiteConnection(path: p)
                do { lines.append(try Migrations.migrate(db, logger: logger)) } catch { lines.append(["error: \(error)"]) }
                db.close()
                group.leave()
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 60), .success)
        XCTAssertEqual(lines.values.filter { $0.hasPrefix("applied 4") }.count, 1, "\(lines.values)")
        XCTAssertFalse(lines.values.contains { $0.hasPrefix("error") }, "\(lines.values)")
        let db = SQLiteConnection(path: path)
        XCTAssertEqual(try scalar(db, "SELECT count(*) FROM users"), "50")
    }

    /// Tokens of a deleted account on a database that reuses its id: the
    /// Flask schema left as it is (auto_migrate off, so no rebuild).
    func checkDeletedAccountsTokensDieWhereIdsAreReused(version: Int) throws {
        let flask = SQLiteConnection(path: path)
        try createFlaskSchema(flask)
        if version > 0 {
            try flask.executeScript(Migrations.createTrackingTable(.sqlite))
            for m in Migrations.all where m.version <= version {
                if m.version > 1 { try flask.executeScript(m.sqlite) }
                try flask.execute(Migrations.record, [.int(m.version), .text(m.name), .text(DatabaseTimestamp.now())])
            }
        }
        flask.close()
        let (logger, _) = try makeTestLogger()
        let app = try UsersApplication(configuration: testConfiguration(databaseURL: url, autoMigrate: .off), logger: logger)
        try app.start()
        defer { app.db.close() }
        func register(_ email: String) -> Int {
            app.send("POST", "/auth/register", json: jsonBody(["email": email, "name": "N", "password": "password123"]))["id"]?.testInt ?? -1
        }
        func login(_ email: String) -> (String, String) {
            let r = app.send("POST", "/auth/login", json: jsonBody(["email": email, "password": "password123"]))
            return (r["access_token"]?.stringValue ?? "", r["refresh_token"]?.stringValue ?? "")
        }
        let ann = register("ann@example.com")
        let (access, refresh) = login("ann@example.com")
        XCTAssertEqual(app.send("DELETE", "/api/users/\(ann)", token: access).status, 204)
        let bob = register("bob@example.com")
        XCTAssertEqual(bob, ann, "this schema hands the id out again")
        XCTAssertEqual(app.send("GET", "/auth/me", token: access).status, 401)
        XCTAssertEqual(app.send("POST", "/auth/refresh", token: refresh).status, 401)
        XCTAssertEqual(app.send("PUT", "/api/users/\(bob)", json: jsonBody(["password": "taken-over"]), token: access).status, 401)
        let (bobAccess, bobRefresh) = login("bob@example.com")
        XCTAssertEqual(app.send("GET", "/auth/me", token: bobAccess)["email"]?.stringValue, "bob@example.com")
        XCTAssertEqual(app.send("POST", "/auth/refresh", token: bobRefresh).status, 200)
    }

    /// Untracked (the Flask application's database as it is): the account's
    /// creation time tells its tokens from the earlier holder's.
    func testDeletedAccountsTokensDieOnAnUntrackedFlaskDatabase() throws {
        try checkDeletedAccountsTokensDieWhereIdsAreReused(version: 0)
    }

    /// With `token_validity` but not yet rebuilt (the deleted id comes
    /// back): the deletion's record refuses the old tokens.
    func testDeletedAccountsTokensDieOnAFlaskDatabaseWithTokenRecords() throws {
        try checkDeletedAccountsTokensDieWhereIdsAreReused(version: Migrations.tokenValidityVersion)
    }
}

extension SQLiteIdReuseTests {
    /// `seed --force` hands the replaced accounts' ids to the seeded ones
    /// (backdated, so creation times cannot tell them apart): the replaced
    /// accounts' tokens must end there.
    func testSeedForceEndsTheReplacedAccountsTokens() throws {
        let config = testConfiguration(databaseURL: url)
        try AppCommands.seed(configuration: config, users: 3, postsPerUser: 1, force: false) { _ in }
        let (logger, _) = try makeTestLogger()
        let app = try UsersApplication(configuration: config, logger: logger)
        try app.start()
        defer { app.db.close() }
        let login = app.send("POST", "/auth/login", json: jsonBody(["email": "user1@example.com", "password": "password123"]))
        let access = login["access_token"]?.stringValue ?? "", refresh = login["refresh_token"]?.stringValue ?? ""
        XCTAssertEqual(app.send("GET", "/auth/me", token: access).status, 200)

        try AppCommands.seed(configuration: config, users: 3, postsPerUser: 1, force: true) { _ in }
        XCTAssertEqual(app.send("GET", "/auth/me", token: access).status, 401)
        XCTAssertEqual(app.send("POST", "/auth/refresh", token: refresh).status, 401)
        let again = app.send("POST", "/auth/login", json: jsonBody(["email": "user1@example.com", "password": "password123"]))
        XCTAssertEqual(app.send("GET", "/auth/me", token: again["access_token"]?.stringValue)["id"]?.testInt, 1)
    }
}

private final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []
    func append(_ v: [String]) { lock.lock(); storage += v; lock.unlock() }
    var values: [String] { lock.lock(); defer { lock.unlock() }; return storage }
}
