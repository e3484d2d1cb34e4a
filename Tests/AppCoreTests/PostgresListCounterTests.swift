import Foundation
import XCTest
import TestSupport
@testable import AppCore

/// The trigger-kept counts on a real PostgreSQL: each check on a fresh
/// database of one throwaway cluster shared by the class.
final class PostgresListCounterTests: ListCounterSuite {
    nonisolated(unsafe) static var cluster: PostgresCluster?
    nonisolated(unsafe) static var setupError: Error?
    nonisolated(unsafe) static var databases = 0

    override class func setUp() {
        super.setUp()
        do {
            let c = try PostgresCluster()
            try c.start()
            cluster = c
        } catch {
            setupError = error
        }
    }

    override class func tearDown() {
        cluster?.destroy()
        cluster = nil
        super.tearDown()
    }

    override func databaseURL() throws -> String {
        if let e = Self.setupError { throw e }
        guard let cluster = Self.cluster else { throw PostgresClusterError(description: "no cluster") }
        Self.databases += 1
        let name = "counts_\(Self.databases)"
        try cluster.createDatabase(name)
        return cluster.url(database: name)
    }

    func testTotalsFollowEveryWriterAndComeFromTheCounts() throws { try checkTotalsFollowEveryWriterAndComeFromTheCounts() }
    func testBackfilledCountsSeekEveryPageExactlyWithGaps() throws { try checkBackfilledCountsSeekEveryPageExactlyWithGaps() }
    func testAfterIDCursorWalksTheWholeList() throws { try checkAfterIDCursorWalksTheWholeList() }
    func testConcurrentRegistrationsAndDeletionsKeepTotalsExact() throws { try checkConcurrentRegistrationsAndDeletionsKeepTotalsExact() }

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
