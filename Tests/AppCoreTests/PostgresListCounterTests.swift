import Foundation
import XCTest
import ServerCore
import TestSupport
@testable import AppCore
@testable import PaddockSQL

/// The trigger-kept counts on a real PostgreSQL: each check on a fresh
/// database of one throwaway cluster shared by the class.
final class PostgresListCounterTests: ListCounterSuite {
    static let cluster = ClassPostgresCluster(databasePrefix: "counts")

    override class func setUp() {
        super.setUp()
        cluster.start()
    }

    override class func tearDown() {
        cluster.destroy()
        super.tearDown()
    }

    override func databaseURL() throws -> String { try Self.cluster.freshDatabaseURL() }

    func testTotalsFollowEveryWriterAndComeFromTheCounts() throws { try checkTotalsFollowEveryWriterAndComeFromTheCounts() }
    func testBackfilledCountsSeekEveryPageExactlyWithGaps() throws { try checkBackfilledCountsSeekEveryPageExactlyWithGaps() }
    func testAfterIDCursorWalksTheWholeList() throws { try checkAfterIDCursorWalksTheWholeList() }
    func testConcurrentRegistrationsAndDeletionsKeepTotalsExact() throws { try checkConcurrentRegistrationsAndDeletionsKeepTotalsExact() }

    /// A bulk load updates each count row thousands of times in one
    /// transaction, which leaves the counter tables hundreds of pages long
    /// after VACUUM; reading the total must still touch a handful of pages.
    func testTotalAfterABulkLoadReadsAFewPages() throws {
        let app = try makeApp(try databaseURL())
        try insertUsers(app, 1...8_000)
        try app.db.executeScript("VACUUM ANALYZE user_count_shards")
        try app.db.executeScript("VACUUM ANALYZE user_id_superblock_counts")
        try app.db.executeScript("VACUUM ANALYZE user_id_block_counts")
        for (i, statement) in [Queries.countUsers, Queries.blockOfUserRank].enumerated() {
            try app.db.executeScript("PREPARE bulk_\(i) AS \(statement.sql)")
            let execute = statement == Queries.countUsers ? "EXECUTE bulk_\(i)" : "EXECUTE bulk_\(i)(5000)"
            let text = try XCTUnwrap(try app.db.queryOne(SQLStatement("bulk_explain_\(i)", "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) \(execute)"), [])?.text(0))
            let plan = try JSONValue.parse(Array(text.utf8)).testArray.first?["Plan"]
            let pages = (plan?["Shared Hit Blocks"]?.testInt ?? 0) + (plan?["Shared Read Blocks"]?.testInt ?? 0)
            XCTAssertLessThanOrEqual(pages, 12, "\(statement.name): \(text)")
        }
        XCTAssertEqual(app.send("GET", "/api/users")["total"]?.testInt, 8_000)
    }

    /// `paddock seed` loads in transactions of a thousand rows, each of which
    /// updates every count row a thousand times; it leaves the count tables
    /// one page long, as single-row writers keep them, since every list
    /// request reads the whole of `user_count_shards`.
    func testSeedLeavesTheCountTablesCompact() throws {
        let url = try databaseURL()
        try AppCommands.seed(configuration: testConfiguration(databaseURL: url), users: 3_000, postsPerUser: 1, force: false) { _ in }
        let app = try makeApp(url)
        for table in ["user_count_shards", "user_id_block_counts", "user_id_superblock_counts"] {
            XCTAssertEqual(try scalar(app, "SELECT CAST(pg_relation_size('\(table)') / 8192 AS BIGINT)"), 1, table)
        }
        XCTAssertEqual(app.send("GET", "/api/users")["total"]?.testInt, 3_000)
        XCTAssertEqual(app.send("GET", "/api/users/2999/posts")["total"]?.testInt, 1)
        XCTAssertEqual(app.send("GET", "/api/users?page=101&per_page=20")["users"]?.testArray.first?["id"]?.testInt, 2_001)
    }

    /// The list's statements keep one generic plan: with `LIMIT $n` the
    /// planner's own choice, from a few thousand users on, was a new plan
    /// for every request. Through a pooler as on a direct connection.
    func testListStatementsAreNotPlannedPerRequest() throws {
        let url = try databaseURL()
        let app = try makeApp(url)
        try insertUsers(app, 1...6_000)
        try app.db.executeScript("ANALYZE")
        for (label, recognizesDirect) in [("direct", true), ("as through a pooler", false)] {
            let (logger, _) = try makeTestLogger()
            let db = PostgresConnection(uri: url, connectTimeout: .seconds(2), statementTimeout: .seconds(10), logger: logger,
                                        recognizesDirectConnections: recognizesDirect)
            defer { db.close() }
            for page in 0..<10 {
                _ = try db.query(Queries.pageOfUsersFromBlock, [.int(0), .int(page * 20), .int(20)])
                _ = try db.query(Queries.blockOfUserRank, [.int(1_000 + page * 300)])
            }
            let statements = [Queries.pageOfUsersFromBlock, Queries.blockOfUserRank]
            let names = statements.map { recognizesDirect ? $0.name : PostgresConnection.serverName(for: $0.sql) }
            let plans = SQLStatement("test_plans", "SELECT CAST(sum(generic_plans) AS BIGINT), CAST(sum(custom_plans) AS BIGINT) "
                                     + "FROM pg_prepared_statements WHERE name IN ($1, $2)")
            let row = try db.queryOne(plans, names.map { .text($0) })
            XCTAssertEqual(row?.int(0), 20, label)
            XCTAssertEqual(row?.int(1), 0, label)
        }
    }

    /// TRUNCATE fires no row trigger; the statement triggers empty the counts.
    func testTruncateResetsTheCounts() throws {
        let app = try makeApp(try databaseURL())
        try insertUsers(app, 1...10)
        XCTAssertEqual(app.send("GET", "/api/users")["total"]?.testInt, 10)
        try app.db.executeScript("TRUNCATE posts, users RESTART IDENTITY CASCADE")
        XCTAssertEqual(app.send("GET", "/api/users")["total"]?.testInt, 0)
        try insertUsers(app, 1...3)
        XCTAssertEqual(app.send("GET", "/api/users")["total"]?.testInt, 3)
    }
}
