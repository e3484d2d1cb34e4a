import Foundation
import XCTest
import Posix
import ServerCore
import TestSupport
@testable import PaddockSQL

/// Each database call of a connection is recorded into the installed
/// `DatabaseMetrics` block (a worker's slot), and nothing happens when none
/// is installed (tests, `paddock migrate`).
final class DatabaseRecordingTests: XCTestCase {
    var board: Scoreboard!
    var fd: FileDescriptor!
    var counters: DatabaseCounters { board.slot(0).figures!.database }

    override func setUpWithError() throws {
        (board, fd) = try Scoreboard.create(slots: 1)
        board.slot(0).reset(pid: 1, generation: 1, now: 1, slot: 0)
    }

    override func tearDown() {
        DatabaseMetrics.install(nil)
        fd.closeAfterFailure()
        super.tearDown()
    }

    func users(_ db: SQLiteConnection) throws {
        try db.executeScript("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE NOT NULL)")
    }

    func testNothingIsRecordedWhenNoRecorderIsInstalled() throws {
        DatabaseMetrics.install(nil)
        XCTAssertEqual(DatabaseMetrics.callStarted(), 0, "no clock read without a recorder")
        let db = SQLiteConnection(path: ":memory:")
        try users(db)
        try db.execute(SQLStatement("insert", "INSERT INTO users (email) VALUES (?)"), [.text("a@example.com")])
        XCTAssertEqual(counters.calls, 0)
    }

    func testSQLiteCallsAndTheirErrorsAreRecordedByClass() throws {
        DatabaseMetrics.install(counters)
        let db = SQLiteConnection(path: ":memory:")
        try users(db)                                            // 1 call (its pragmas are not counted)
        let insert = SQLStatement("insert", "INSERT INTO users (email) VALUES (?)")
        try db.execute(insert, [.text("a@example.com")])         // 2
        XCTAssertEqual(try db.query(SQLStatement("count", "SELECT count(*) FROM users"), []).first?.int(0), 1)  // 3
        XCTAssertThrowsError(try db.execute(insert, [.text("a@example.com")])) { error in   // 4, unique
            XCTAssertEqual((error as? DatabaseError)?.kind, .uniqueViolation)
        }
        XCTAssertThrowsError(try db.query(SQLStatement("bad", "SELECT * FROM no_such_table"), []))   // 5, other
        XCTAssertEqual(try db.transaction { try db.execute(insert, [.text("b@example.com")]) }, 1)   // begin, execute, commit: 8
        XCTAssertEqual(counters.calls, 8)
        XCTAssertEqual(counters.errors(.uniqueViolation), 1)
        XCTAssertEqual(counters.errors(.other), 1)
        XCTAssertEqual(counters.errors(.unavailable), 0)
        XCTAssertGreaterThan(counters.durationSumNanoseconds, 0)
        XCTAssertEqual(counters.reconnects, 0, "the first open is no reconnect")
        db.close()
        XCTAssertEqual(try db.query(SQLStatement("count", "SELECT 1"), []).count, 1)
        XCTAssertEqual(counters.reconnects, 1, "opening again after close is")
    }

    func testAPostgresConnectionRefusedCountsAsUnavailable() throws {
        DatabaseMetrics.install(counters)
        let (logger, logPath) = try makeTestLogger()
        defer { try? FileManager.default.removeItem(atPath: logPath) }
        // Nobody listens on port 1: refused at once.
        let db = PostgresConnection(uri: "postgresql://postgres@127.0.0.1:1/postgres", connectTimeout: .seconds(2),
                                    statementTimeout: .seconds(5), logger: logger)
        XCTAssertThrowsError(try db.query(SQLStatement("ping", "SELECT 1"), []))
        XCTAssertEqual(counters.calls, 1)
        XCTAssertEqual(counters.errors(.unavailable), 1)
        XCTAssertEqual(counters.reconnects, 0)
    }
}
