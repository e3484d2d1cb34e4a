import Foundation
import XCTest
import Posix
import TestSupport
@testable import AppCore
@testable import PaddockSQL

/// What each statement mode leaves on the server: with `off` nothing that
/// outlives a transaction, and `on` keeps named statements per connection
/// (`auto`, the default: PostgresAutoStatementTests). Each applies
/// `db_statement_timeout` to every statement, inside transactions too.
final class PostgresStatementModeTests: XCTestCase {
    static let preparedCount = SQLStatement("test.prepared_count", "SELECT count(*) FROM pg_prepared_statements")
    static let sleep = SQLStatement("test.sleep", "SELECT pg_sleep($1)")
    static let settings = SQLStatement("test.settings",
                                       "SELECT current_setting('statement_timeout'), current_setting('TimeZone'), current_setting('DateStyle')")

    func connection(_ cluster: PostgresCluster, prepared: Bool, statementTimeout: Duration) throws -> PostgresConnection {
        try connection(cluster, mode: prepared ? .on : .off, statementTimeout: statementTimeout)
    }

    func connection(_ cluster: PostgresCluster, mode: PostgresStatementMode, statementTimeout: Duration) throws -> PostgresConnection {
        let (logger, _) = try makeTestLogger()
        let db = PostgresConnection(uri: cluster.url, connectTimeout: .seconds(2), statementTimeout: statementTimeout,
                                    statementMode: mode, logger: logger)
        try db.connect()
        return db
    }

    /// A statement that outlives the timeout is cancelled (SQLSTATE 57014) well before it would end.
    func assertCancelled(_ db: PostgresConnection, file: StaticString = #filePath, line: UInt = #line) {
        let started = Date()
        XCTAssertThrowsError(try db.query(Self.sleep, [.text("5")]), file: file, line: line) { error in
            XCTAssertTrue("\(error)".contains("57014"), "\(error)", file: file, line: line)
            XCTAssertEqual((error as? DatabaseError)?.kind, .other, file: file, line: line)
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 3, "statement_timeout did not apply", file: file, line: line)
    }

    func testUnnamedModeLeavesNoPreparedStatementsAndAppliesSettingsPerStatement() throws {
        let cluster = try PostgresCluster()
        defer { cluster.destroy() }
        try cluster.start()
        let db = try connection(cluster, prepared: false, statementTimeout: .milliseconds(400))
        for _ in 0..<3 { XCTAssertEqual(try db.query(SQLStatement("ping", "SELECT 1"), []).first?.int(0), 1) }
        XCTAssertEqual(try db.query(Self.preparedCount, []).first?.int(0), 0, "named statements do not survive transaction pooling")
        let row = try db.queryOne(Self.settings, [])
        XCTAssertEqual(row?.text(0), "400ms")
        XCTAssertEqual(row?.text(1), "UTC")
        XCTAssertEqual(row?.text(2), "ISO, YMD")
        assertCancelled(db)
        // The failed statement left the connection usable and out of pipeline mode.
        XCTAssertTrue(db.ping())
        try db.transaction {
            XCTAssertEqual(try db.queryOne(Self.settings, [])?.text(0), "400ms")
            _ = try db.query(SQLStatement("ping", "SELECT 1"), [])
        }
        db.close()
    }

    func testTimeoutAppliesInsideTransactions() throws {
        let cluster = try PostgresCluster()
        defer { cluster.destroy() }
        try cluster.start()
        for mode in PostgresStatementMode.allCases {
            let db = try connection(cluster, mode: mode, statementTimeout: .milliseconds(400))
            try db.begin(write: true)
            assertCancelled(db)
            db.rollback()
            XCTAssertTrue(db.ping(), "mode \(mode)")
            db.close()
        }
    }

    func testPreparedModeKeepsNamedStatementsAndSessionSettings() throws {
        let cluster = try PostgresCluster()
        defer { cluster.destroy() }
        try cluster.start()
        let db = try connection(cluster, prepared: true, statementTimeout: .milliseconds(400))
        XCTAssertTrue(db.ping())
        XCTAssertGreaterThan(try db.query(Self.preparedCount, []).first?.int(0) ?? 0, 0)
        XCTAssertEqual(try db.queryOne(Self.settings, [])?.text(1), "UTC")
        assertCancelled(db)
        db.close()
    }

    func testZeroTimeoutSendsNoTimeoutAndLeavesTheServers() throws {
        let cluster = try PostgresCluster()
        defer { cluster.destroy() }
        try cluster.start()
        try cluster.psql("ALTER ROLE postgres SET statement_timeout = '7s'")
        let unnamed = try connection(cluster, prepared: false, statementTimeout: .zero)
        XCTAssertEqual(try unnamed.queryOne(Self.settings, [])?.text(0), "7s", "0 leaves the role's statement_timeout")
        XCTAssertEqual(try unnamed.queryOne(Self.settings, [])?.text(1), "UTC")
        try unnamed.transaction { XCTAssertEqual(try unnamed.queryOne(Self.settings, [])?.text(0), "7s") }
        unnamed.close()
        let prepared = try connection(cluster, prepared: true, statementTimeout: .zero)
        XCTAssertEqual(try prepared.queryOne(Self.settings, [])?.text(0), "0", "with prepared statements 0 disables it for the session")
        prepared.close()
    }
}
