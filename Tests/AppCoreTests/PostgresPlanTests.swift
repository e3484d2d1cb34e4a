import Foundation
import XCTest
import ServerCore
import TestSupport
@testable import AppCore
@testable import PaddockSQL

/// What PostgreSQL does for every list query at 100,000 users and
/// 1,000,000 posts: no sequential scan of `users` or `posts`, with the
/// plans chosen for the values and the generic plan a prepared statement
/// may switch to; and a deep page reads about as many rows of `users` as
/// the first.
final class PostgresPlanTests: XCTestCase {
    func testListQueriesNeverScanUsersOrPostsAndDeepPagesReadLikeTheFirst() throws {
        let cluster = try PostgresCluster()
        defer { cluster.destroy() }
        try cluster.start()
        let (logger, logPath) = try makeTestLogger()
        defer { try? FileManager.default.removeItem(atPath: logPath) }
        // Seeded in the database (the API would take minutes) on the Flask
        // schema, before the migrations, so migration 5 backfills the counts
        // at this size; every 97th user deleted for gaps.
        let seeder = PostgresConnection(uri: cluster.url, connectTimeout: .seconds(5), statementTimeout: .seconds(600), logger: logger)
        try seeder.executeScript(Migrations.all[0].postgres)
        try seeder.executeScript("""
            INSERT INTO users (email, name, password_hash, created_at, updated_at)
                SELECT 'user' || i || '@example.com', 'User ' || i, 'x', now(), now() FROM generate_series(1, 100000) AS i;
            INSERT INTO posts (user_id, title, content, created_at, updated_at)
                SELECT (i - 1) % 100000 + 1, 'Post ' || i, 'Content of post ' || i, now() - i * interval '1 second', now()
                FROM generate_series(1, 1000000) AS i;
            DELETE FROM users WHERE id % 97 = 0;
            """)
        try seeder.executeScript("VACUUM ANALYZE") // not in the script's implicit transaction
        seeder.close()
        let app = try UsersApplication(configuration: testConfiguration(databaseURL: cluster.url, autoMigrate: .on), logger: logger)
        try app.start()
        let db = app.db
        try db.executeScript("ANALYZE") // the counts migration 5 made
        let users = try XCTUnwrap(try db.queryOne(SQLStatement("plan_count", "SELECT count(*) FROM users"), [])?.int(0))
        XCTAssertEqual(app.send("GET", "/api/users")["total"]?.testInt, users)

        let perPage = 20, deepRank = 3999 * perPage
        let block = try XCTUnwrap(try db.queryOne(Queries.blockOfUserRank, [.int(deepRank)]))
        let deepBlock = try XCTUnwrap(block.int(0)), before = try XCTUnwrap(block.int(1))
        let user = 50_000
        let checks: [(SQLStatement, String)] = [
            (Queries.countUsers, ""),
            (Queries.blockOfUserRank, "0"),
            (Queries.blockOfUserRank, "\(deepRank)"),
            (Queries.pageOfUsersFromBlock, "0, 0, \(perPage)"),
            (Queries.pageOfUsersFromBlock, "\(deepBlock * ListCounters.blockSize), \(deepRank - before), \(perPage)"),
            (Queries.usersAfterID, "\(user), \(perPage)"),
            (Queries.rankOfUserID, "\(user), \(user / ListCounters.superblockSize), \(user / ListCounters.blockSize), "
                + "\(user / ListCounters.blockSize * ListCounters.blockSize), \(user / ListCounters.superblockSize * ListCounters.blocksPerSuperblock)"),
            (Queries.userExists, "\(user)"),
            (Queries.countPostsOfUser, "\(user)"),
            (Queries.pageOfPostsOfUser, "\(user), \(perPage), 0"),
        ]
        for (i, (statement, arguments)) in checks.enumerated() {
            try db.executeScript("PREPARE plan_\(i) AS \(statement.sql)")
            let execute = arguments.isEmpty ? "EXECUTE plan_\(i)" : "EXECUTE plan_\(i)(\(arguments))"
            for mode in ["force_custom_plan", "force_generic_plan"] {
                try db.executeScript("SET plan_cache_mode = \(mode)")
                let plan = try explain(db, "EXPLAIN (FORMAT JSON) \(execute)", name: "plan_\(i)_\(mode)")
                let scans = nodes(plan).filter { $0["Node Type"]?.stringValue == "Seq Scan" }
                    .compactMap { $0["Relation Name"]?.stringValue }
                XCTAssertFalse(scans.contains("users") || scans.contains("posts"),
                               "\(statement.name)(\(arguments)) with \(mode) scans \(scans): \(plan)")
            }
        }
        try db.executeScript("RESET plan_cache_mode")

        // Rows of `users` read for page 1 and for page 4000, as executed.
        let first = try usersRowsRead(db, "EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE plan_3(0, 0, \(perPage))", name: "analyze_first")
        let deep = try usersRowsRead(db, "EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE plan_4(\(deepBlock * ListCounters.blockSize), \(deepRank - before), \(perPage))",
                                     name: "analyze_deep")
        XCTAssertLessThanOrEqual(first, 2 * perPage + 2)
        XCTAssertLessThanOrEqual(deep, ListCounters.blockSize + 2 * perPage + 2)
        // What the same page costs by OFFSET, for scale: the whole prefix.
        try db.executeScript("PREPARE plan_offset AS \(Queries.pageOfUsersByOffset.sql)")
        let offset = try usersRowsRead(db, "EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE plan_offset(\(perPage), \(deepRank))", name: "analyze_offset")
        XCTAssertGreaterThanOrEqual(offset, deepRank)
        // And the page is the right one.
        let page = app.send("GET", "/api/users?page=4000&per_page=\(perPage)")
        let expected = try db.query(SQLStatement("plan_reference", "SELECT id FROM users ORDER BY id LIMIT $1 OFFSET $2"),
                                    [.int(perPage), .int(deepRank)]).compactMap { $0.int(0) }
        XCTAssertEqual(page["users"]?.testArray.compactMap { $0["id"]?.testInt }, expected)
    }

    private func explain(_ db: DatabaseConnection, _ sql: String, name: String) throws -> JSONValue {
        let text = try XCTUnwrap(try db.queryOne(SQLStatement(name, sql), [])?.text(0))
        return try JSONValue.parse(Array(text.utf8))
    }

    /// Every plan node, depth first.
    private func nodes(_ value: JSONValue) -> [JSONValue] {
        switch value {
        case .array(let items): return items.flatMap(nodes)
        case .object(let fields):
            var found: [JSONValue] = fields["Node Type"] != nil ? [value] : []
            if let plan = fields["Plan"] { found += nodes(plan) }
            if let children = fields["Plans"] { found += nodes(children) }
            return found
        default: return []
        }
    }

    /// Rows the scans of `users` returned, over all their loops.
    private func usersRowsRead(_ db: DatabaseConnection, _ sql: String, name: String) throws -> Int {
        nodes(try explain(db, sql, name: name)).filter { $0["Relation Name"]?.stringValue == "users" }.reduce(0) {
            $0 + ($1["Actual Rows"]?.testInt ?? 0) * ($1["Actual Loops"]?.testInt ?? 1)
        }
    }
}
