import ServerCore

/// Applies an application's versioned migrations, each exactly once, and
/// records them in `schema_migrations`.
///
/// Migrations run under a lock (PostgreSQL: a transaction-level advisory lock
/// taken first in the migrating transaction, so it also holds behind
/// PgBouncer's transaction pooling, where a session lock could be taken on
/// one server connection and released on another; SQLite: `BEGIN
/// IMMEDIATE`), so workers or a `migrate` command starting together apply
/// each one exactly once.
public struct MigrationRunner: Sendable {
    /// Every migration, oldest first. Append; never edit a released one.
    public let migrations: [Migration]
    /// Tables whose presence, with nothing recorded yet, means the first
    /// migration was applied by someone else (a database another stack
    /// created): it is recorded as the baseline instead of being run. Empty:
    /// never.
    public let baselineTables: [String]

    public init(migrations: [Migration], baselineTables: [String] = []) {
        precondition(!migrations.isEmpty || baselineTables.isEmpty, "a baseline needs a first migration")
        self.migrations = migrations
        self.baselineTables = baselineTables
    }

    /// The newest version known.
    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// An arbitrary constant naming Paddock's migration lock among advisory locks.
    static let advisoryLockKey = 7_263_110_342

    /// Released by the transaction's end, commit or rollback (or a broken connection).
    static let lock = SQLStatement("migrations.lock", "SELECT pg_advisory_xact_lock($1)")
    static let applied = SQLStatement("migrations.applied", "SELECT version FROM schema_migrations ORDER BY version")
    /// Records one applied version.
    public static let record = SQLStatement("migrations.record",
                                            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")

    /// The tables to look for: the baseline ones and the tracking table.
    var watchedTables: [String] { baselineTables + ["schema_migrations"] }

    func tablesStatement(_ dialect: SQLDialect) -> SQLStatement {
        let placeholders = (1...watchedTables.count).map { "$\($0)" }.joined(separator: ", ")
        // Named by its table list: a named prepared statement's text never changes.
        let name = "migrations.tables." + watchedTables.joined(separator: ".")
        switch dialect {
        case .postgres:
            return SQLStatement(name, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN (\(placeholders))")
        case .sqlite:
            return SQLStatement(name, "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (\(placeholders))")
        }
    }

    /// The DDL of `schema_migrations`.
    public static func createTrackingTable(_ dialect: SQLDialect) -> String {
        let time = dialect == .postgres ? "TIMESTAMPTZ" : "TEXT"
        return "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_at \(time) NOT NULL)"
    }

    /// Which of the baseline tables and `schema_migrations` exist.
    func existingTables(_ db: DatabaseConnection) throws -> Set<String> {
        let rows = try db.query(tablesStatement(db.dialect), watchedTables.map { .text($0) })
        return Set(rows.compactMap { $0.text(0) })
    }

    /// The schema's state: whether every baseline table exists, and the
    /// applied version (0 when untracked).
    public func status(_ db: DatabaseConnection) throws -> (tablesExist: Bool, version: Int) {
        let tables = try existingTables(db)
        let version = tables.contains("schema_migrations") ? (try db.query(Self.applied, []).compactMap { $0.int(0) }.max() ?? 0) : 0
        return (baselineTables.allSatisfy(tables.contains), version)
    }

    /// Applies every pending migration and returns what it did, one line each
    /// ("baseline 1 ...", "applied 2 ..."). Idempotent: nothing pending, nothing done.
    @discardableResult
    public func migrate(_ db: DatabaseConnection, logger: Logger) throws -> [String] {
        // Rebuilding a table on SQLite needs foreign keys off (or dropping a
        // parent table would cascade into its children), and the pragma does
        // nothing inside a transaction, so it is set around the whole run.
        // Rows that broke a key before are copied as they are rather than
        // failing the migration.
        if db.dialect == .sqlite {
            try db.executeScript("PRAGMA foreign_keys=OFF")
        }
        defer {
            if db.dialect == .sqlite {
                do { try db.executeScript("PRAGMA foreign_keys=ON") } catch {
                    logger.error("turning foreign keys back on after migrating: \(error)")
                }
            }
        }
        return try db.transaction(write: true) {
            if db.dialect == .postgres {
                _ = try db.query(Self.lock, [.int(Self.advisoryLockKey)])
            }
            try db.executeScript(Self.createTrackingTable(db.dialect))
            var done: [String] = []
            var versions = Set(try db.query(Self.applied, []).compactMap { $0.int(0) })
            if versions.isEmpty && !baselineTables.isEmpty {
                let tables = try existingTables(db)
                if baselineTables.allSatisfy(tables.contains) {
                    let base = migrations[0]
                    try db.execute(Self.record, [.int(base.version), .text(base.name + " (baseline: tables already present)"),
                                                 .text(DatabaseTimestamp.now())])
                    versions.insert(base.version)
                    done.append("baseline \(base.version) \(base.name): \(baselineTables.joined(separator: " and ")) already exist")
                }
            }
            for m in migrations where !versions.contains(m.version) {
                let sql = m.sql(for: db.dialect)
                if !sql.isEmpty { try db.executeScript(sql) }
                try db.execute(Self.record, [.int(m.version), .text(m.name), .text(DatabaseTimestamp.now())])
                done.append("applied \(m.version) \(m.name)")
            }
            for line in done { logger.info("migration \(line)") }
            return done
        }
    }
}
