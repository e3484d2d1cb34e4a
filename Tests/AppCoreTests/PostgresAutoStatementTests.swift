import Foundation
import XCTest
import Posix
import ServerCore
import TestSupport
@testable import AppCore
@testable import PaddockSQL

/// The default statement mode, `auto`: on a connection it finds direct, the
/// `on` mode's statements prepared per session; else named statements (by a
/// hash of their text) with the timeout per statement, so that behind
/// PgBouncer's transaction pooling, where each round trip may land on a
/// server connection that has the statement, lacks it, or was reset, no
/// statement fails and none runs twice. The pooled path is tested on direct
/// connections too, with the check for a direct connection turned off.
final class PostgresAutoStatementTests: XCTestCase {
    static let ping = SQLStatement("ping", "SELECT 1")
    static let names = SQLStatement("test.names", "SELECT name FROM pg_prepared_statements ORDER BY name")
    static let sleep = SQLStatement("test.sleep", "SELECT pg_sleep($1)")
    static let timeout = SQLStatement("test.timeout", "SELECT current_setting('statement_timeout')")
    static let add = SQLStatement("test.add", "SELECT $1::int + 1")
    static let insert = SQLStatement("test.insert", "INSERT INTO hits (client, round) VALUES ($1, $2)")
    static let hits = SQLStatement("test.hits", "SELECT count(*), count(DISTINCT (client, round)) FROM hits")

    func connection(_ url: String, mode: PostgresStatementMode = .auto, statementTimeout: Duration = .milliseconds(400),
                    recognizesDirect: Bool = false) throws -> PostgresConnection {
        try Self.connection(url, mode: mode, statementTimeout: statementTimeout, recognizesDirect: recognizesDirect)
    }

    static func connection(_ url: String, mode: PostgresStatementMode = .auto, statementTimeout: Duration = .milliseconds(400),
                           recognizesDirect: Bool = false) throws -> PostgresConnection {
        let (logger, _) = try makeTestLogger()
        let db = PostgresConnection(uri: url, connectTimeout: .seconds(2), statementTimeout: statementTimeout,
                                    statementMode: mode, logger: logger, recognizesDirectConnections: recognizesDirect)
        try db.connect()
        return db
    }

    func testDefaultSettingsUseAuto() throws {
        let (logger, _) = try makeTestLogger()
        let db = try Database.connection(for: testConfiguration(databaseURL: "postgresql://postgres@127.0.0.1:1/x"), logger: logger)
        XCTAssertEqual((db as? PostgresConnection)?.statementMode, .auto)
    }

    func testNamesAreStableHashesOfTheText() {
        XCTAssertEqual(PostgresConnection.serverName(for: "SELECT 1"), "p_e004ebd5b5532a4b")
        XCTAssertNotEqual(PostgresConnection.serverName(for: "SELECT 2"), PostgresConnection.serverName(for: "SELECT 1"))
    }

    /// A direct connection is recognised and used as `on` uses it: each
    /// statement prepared once under its own name, the timeout set once for
    /// the session, nothing else sent per statement.
    func testDirectConnectionIsUsedAsPreparedPerSession() throws {
        let cluster = try PostgresCluster()
        defer { cluster.destroy() }
        try cluster.start()
        let db = try connection(cluster.url, recognizesDirect: true)
        XCTAssertEqual(db.statementMode, .auto)
        XCTAssertEqual(db.sessionMode, .on)
        for _ in 0..<3 { XCTAssertEqual(try db.query(Self.ping, []).first?.int(0), 1) }
        XCTAssertEqual(db.counters, PostgresStatementCounters(), "the named-by-text path did not run")
        let names = try db.query(Self.names, []).compactMap { $0.text(0) }
        XCTAssertTrue(names.contains(Self.ping.name), "\(names)")
        XCTAssertFalse(names.contains(PostgresConnection.serverName(for: Self.ping.sql)), "\(names)")
        XCTAssertFalse(names.contains(PostgresConnection.localTimeoutName), "\(names)")
        XCTAssertEqual(try db.queryOne(SQLStatement("test.session", "SHOW statement_timeout"), [])?.text(0), "400ms")
        let started = Date()
        XCTAssertThrowsError(try db.query(Self.sleep, [.text("5")])) { error in
            XCTAssertTrue("\(error)".contains("57014"), "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 3, "statement_timeout did not apply")
        // Transactions and a reconnect keep to it.
        try db.transaction { XCTAssertEqual(try db.queryOne(Self.timeout, [])?.text(0), "400ms") }
        db.close()
        XCTAssertTrue(db.ping())
        XCTAssertEqual(db.sessionMode, .on)
        XCTAssertEqual(try db.queryOne(Self.timeout, [])?.text(0), "400ms")
        db.close()
        // With no timeout of its own it leaves the server's.
        try cluster.psql("ALTER ROLE postgres SET statement_timeout = '7s'")
        let untimed = try connection(cluster.url, statementTimeout: .zero, recognizesDirect: true)
        XCTAssertEqual(untimed.sessionMode, .on)
        XCTAssertEqual(try untimed.queryOne(Self.timeout, [])?.text(0), "7s")
        untimed.close()
    }

    func testDirectConnectionExecutesNamedStatementsWithThePerStatementTimeout() throws {
        let cluster = try PostgresCluster()
        defer { cluster.destroy() }
        try cluster.start()
        let db = try connection(cluster.url)
        for _ in 0..<3 { XCTAssertEqual(try db.query(Self.ping, []).first?.int(0), 1) }
        XCTAssertEqual(db.counters.preparedThenExecuted, 1, "prepared in the first round trip")
        XCTAssertEqual(db.counters.executedPrepared, 2, "then executed by name")
        let names = try db.query(Self.names, []).compactMap { $0.text(0) }
        XCTAssertTrue(names.contains(PostgresConnection.serverName(for: Self.ping.sql)), "\(names)")
        XCTAssertTrue(names.contains(PostgresConnection.localTimeoutName), "\(names)")
        XCTAssertEqual(try db.queryOne(Self.timeout, [])?.text(0), "400ms")
        // The session itself keeps no timeout: it is transaction-local.
        XCTAssertEqual(try db.queryOne(SQLStatement("test.session", "SHOW statement_timeout"), [])?.text(0), "400ms")
        let started = Date()
        XCTAssertThrowsError(try db.query(Self.sleep, [.text("5")])) { error in
            XCTAssertTrue("\(error)".contains("57014"), "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 3, "statement_timeout did not apply")
        XCTAssertEqual(db.counters.retries, 0, "a cancelled statement is not retried")
        XCTAssertTrue(db.ping())
        // Inside a transaction statements are unnamed: nothing counted.
        let before = db.counters
        try db.transaction { XCTAssertEqual(try db.queryOne(Self.timeout, [])?.text(0), "400ms") }
        XCTAssertEqual(db.counters, before)
        // A reconnect forgets what was prepared: prepared again, not a failed guess.
        db.close()
        XCTAssertTrue(db.ping())
        XCTAssertEqual(db.counters.preparedThenExecuted, before.preparedThenExecuted + 1)
        XCTAssertEqual(db.counters.retries, 0)
        db.close()
    }

    func testZeroTimeoutSendsOnlyTheStatement() throws {
        let cluster = try PostgresCluster()
        defer { cluster.destroy() }
        try cluster.start()
        try cluster.psql("ALTER ROLE postgres SET statement_timeout = '7s'")
        let db = try connection(cluster.url, statementTimeout: .zero)
        XCTAssertEqual(try db.queryOne(Self.timeout, [])?.text(0), "7s", "0 leaves the role's statement_timeout")
        let names = try db.query(Self.names, []).compactMap { $0.text(0) }
        XCTAssertFalse(names.contains(PostgresConnection.localTimeoutName), "\(names)")
        XCTAssertEqual(db.counters.executedPrepared, 0)
        XCTAssertEqual(db.counters.preparedThenExecuted, 2)
        db.close()
    }

    /// What a pooler does to a client, on one direct connection: the server
    /// forgets the statements (as after DISCARD ALL or on another server
    /// connection), or has them before this client prepared them. A write
    /// retried after either still happens once.
    func testMissingAndExistingStatementsAreCorrectedWithoutRunningTwice() throws {
        let cluster = try PostgresCluster()
        defer { cluster.destroy() }
        try cluster.start()
        try cluster.psql("CREATE TABLE hits (client int, round int)")
        let db = try connection(cluster.url)
        XCTAssertEqual(try db.execute(Self.insert, [.int(0), .int(0)]), 1)
        try db.executeScript("DEALLOCATE ALL")
        XCTAssertEqual(try db.execute(Self.insert, [.int(0), .int(1)]), 1)
        XCTAssertEqual(db.counters.retries, 1, "26000, then parsed and executed")
        try db.executeScript("DEALLOCATE ALL")
        db.prepared.removeAll()
        try db.executeScript("PREPARE \(PostgresConnection.serverName(for: Self.insert.sql)) (int, int) AS \(Self.insert.sql)")
        XCTAssertEqual(try db.execute(Self.insert, [.int(0), .int(2)]), 1)
        XCTAssertEqual(db.counters.retries, 2, "42P05 for the statement, then executed")
        XCTAssertEqual(db.counters.unnamedFallbacks, 0)
        let row = try db.queryOne(Self.hits, [])
        XCTAssertEqual(row?.int(0), 3)
        XCTAssertEqual(row?.int(1), 3)
        db.close()
    }

    func testBehindTransactionPoolingNoStatementFailsThroughResets() throws {
        guard let binary = PgBouncer.findBinary() else {
            throw XCTSkip("pgbouncer is not installed (apt-get install pgbouncer): this test needs the real one")
        }
        let cluster = try PostgresCluster()
        defer { cluster.destroy() }
        try cluster.start()
        try cluster.psql("CREATE TABLE hits (client int, round int)")
        let bouncer = try PgBouncer(binary: binary, cluster: cluster, poolSize: 2)
        defer { bouncer.stop() }
        let url = bouncer.url()
        let clients = 4, rounds = 150
        let failures = Failures()
        let counters = Failures()
        let group = DispatchGroup()
        for client in 0..<clients {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                do {
                    let db = try Self.connection(url, recognizesDirect: true)
                    defer { db.close() }
                    if db.sessionMode != .auto { failures.add("client \(client): PgBouncer taken for a direct connection") }
                    for round in 0..<rounds {
                        do {
                            let sum = try db.queryOne(Self.add, [.int(round)])?.int(0)
                            if sum != round + 1 { failures.add("client \(client) round \(round): \(String(describing: sum))") }
                            if try db.queryOne(Self.timeout, [])?.text(0) != "400ms" { failures.add("timeout lost") }
                            try db.execute(Self.insert, [.int(client), .int(round)])
                        } catch {
                            failures.add("client \(client) round \(round): \(error)")
                        }
                    }
                    counters.add("\(db.counters.executedPrepared) \(db.counters.retries) \(db.counters.unnamedFallbacks)")
                } catch {
                    failures.add("client \(client): \(error)")
                }
            }
        }
        // Meanwhile reset both server connections now and then: one held by
        // an open transaction (DEALLOCATE ALL), so DISCARD ALL gets the other.
        let resetters = (try connection(url, mode: .off), try connection(url, mode: .off))
        var resets = 0
        while group.wait(timeout: .now() + 0.05) == .timedOut && resets < 400 {
            try resetters.0.begin(write: false)
            try resetters.0.executeScript("DEALLOCATE ALL")
            try resetters.1.executeScript("DISCARD ALL")
            try resetters.0.commit()
            resets += 1
        }
        XCTAssertEqual(group.wait(timeout: .now() + 120), .success)
        resetters.0.close()
        resetters.1.close()
        XCTAssertGreaterThan(resets, 0)
        XCTAssertEqual(failures.values, [])
        let stats = counters.values.map { $0.split(separator: " ").compactMap { Int($0) } }
        XCTAssertEqual(stats.count, clients)
        XCTAssertGreaterThan(stats.map { $0[0] }.reduce(0, +), 0, "the fast path ran: \(stats)")
        XCTAssertGreaterThan(stats.map { $0[1] }.reduce(0, +), 0, "resets and moves were met: \(stats)")
        let check = try connection(cluster.url, mode: .off)
        let row = try check.queryOne(Self.hits, [])
        XCTAssertEqual(row?.int(0), clients * rounds, "every insert ran exactly once")
        XCTAssertEqual(row?.int(1), clients * rounds)
        check.close()
    }
}

/// Lines written by many threads.
private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []
    func add(_ line: String) { lock.lock(); storage.append(line); lock.unlock() }
    var values: [String] { lock.lock(); defer { lock.unlock() }; return storage }
}
