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
