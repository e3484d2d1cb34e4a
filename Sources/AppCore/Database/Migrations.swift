import ServerCore

/// Why the application cannot use the database's schema.
public struct SchemaError: Error, CustomStringConvertible {
    public let description: String
}

/// The versioned schema. Version 1 is exactly the schema the Flask
/// deployment creates (API.md), so a database it made is adopted as is: when
/// `users` and `posts` exist but `schema_migrations` does not, version 1 is
/// recorded as the baseline instead of being run.
///
/// Migrations run under a lock (PostgreSQL: a transaction-level advisory lock
/// taken first in the migrating transaction, so it also holds behind
/// PgBouncer's transaction pooling, where a session lock could be taken on
/// one server connection and released on another; SQLite: `BEGIN
/// IMMEDIATE`), so workers or `paddock migrate` runs starting together apply
/// each one exactly once.
public enum Migrations {
    /// Every migration, oldest first. Append; never edit a released one.
    public static let all: [Migration] = [
        Migration(version: 1, name: "create users and posts", postgres: """
            CREATE TABLE users (
                id            SERIAL PRIMARY KEY,
                email         VARCHAR(255) NOT NULL UNIQUE,
                name          VARCHAR(100) NOT NULL,
                password_hash VARCHAR(255) NOT NULL,
                created_at    TIMESTAMPTZ NOT NULL,
                updated_at    TIMESTAMPTZ NOT NULL
            );
            CREATE TABLE posts (
                id         SERIAL PRIMARY KEY,
                user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                title      VARCHAR(200) NOT NULL,
                content    TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL
            );
            CREATE INDEX ix_posts_user_id ON posts (user_id);
            """, sqlite: """
            CREATE TABLE users (
                id            INTEGER NOT NULL PRIMARY KEY,
                email         VARCHAR(255) NOT NULL UNIQUE,
                name          VARCHAR(100) NOT NULL,
                password_hash VARCHAR(255) NOT NULL,
                created_at    TEXT NOT NULL,
                updated_at    TEXT NOT NULL
            );
            CREATE TABLE posts (
                id         INTEGER NOT NULL PRIMARY KEY,
                user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                title      VARCHAR(200) NOT NULL,
                content    TEXT NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE INDEX ix_posts_user_id ON posts (user_id);
            """),
        // A user's posts are listed newest first; this index serves that
        // ORDER BY and the LIMIT/OFFSET without a sort.
        Migration(version: 2, name: "index posts by author and date",
                  postgres: "CREATE INDEX IF NOT EXISTS ix_posts_user_id_created_at ON posts (user_id, created_at DESC, id DESC);",
                  sqlite: "CREATE INDEX IF NOT EXISTS ix_posts_user_id_created_at ON posts (user_id, created_at DESC, id DESC);"),
        // Per user, the instant before which its tokens are refused (see
        // `TokenCutoff`): set by a password change and by deleting the
        // account. No foreign key, so the row outlives the user and still
        // refuses the deleted account's tokens if its id comes back. The
        // Flask application never reads or writes it.
        Migration(version: 3, name: "record when tokens stop being valid",
                  postgres: "CREATE TABLE token_validity (user_id INTEGER PRIMARY KEY, valid_after_us BIGINT NOT NULL);",
                  sqlite: "CREATE TABLE token_validity (user_id INTEGER NOT NULL PRIMARY KEY, valid_after_us INTEGER NOT NULL);"),
        // Without AUTOINCREMENT SQLite gives a new row the highest id plus
        // one, so deleting the newest account hands its id to the next one.
        // SQLite cannot change a key in place, so both tables are rebuilt
        // (https://www.sqlite.org/lang_altertable.html#otheralter; `migrate`
        // turns foreign keys off around it) with the same columns, keys and
        // indexes, keeping every row. The users sequence starts above any
        // id a post or a token record still names. PostgreSQL's SERIAL
        // never hands an id out twice: nothing to do there.
        Migration(version: 4, name: "never reuse ids on SQLite", postgres: "", sqlite: """
            CREATE TABLE users_rebuild (
                id            INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
                email         VARCHAR(255) NOT NULL UNIQUE,
                name          VARCHAR(100) NOT NULL,
                password_hash VARCHAR(255) NOT NULL,
                created_at    TEXT NOT NULL,
                updated_at    TEXT NOT NULL
            );
            INSERT INTO users_rebuild (id, email, name, password_hash, created_at, updated_at)
                SELECT id, email, name, password_hash, created_at, updated_at FROM users;
            DROP TABLE users;
            ALTER TABLE users_rebuild RENAME TO users;
            CREATE TABLE posts_rebuild (
                id         INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
                user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                title      VARCHAR(200) NOT NULL,
                content    TEXT NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            INSERT INTO posts_rebuild (id, user_id, title, content, created_at, updated_at)
                SELECT id, user_id, title, content, created_at, updated_at FROM posts;
            DROP TABLE posts;
            ALTER TABLE posts_rebuild RENAME TO posts;
            CREATE INDEX ix_posts_user_id ON posts (user_id);
            CREATE INDEX ix_posts_user_id_created_at ON posts (user_id, created_at DESC, id DESC);
            DELETE FROM sqlite_sequence WHERE name IN ('users', 'users_rebuild');
            INSERT INTO sqlite_sequence (name, seq) VALUES ('users', max(
                (SELECT coalesce(max(id), 0) FROM users),
                (SELECT coalesce(max(user_id), 0) FROM posts),
                (SELECT coalesce(max(user_id), 0) FROM token_validity)));
            """),
        // Counts the database keeps exact itself, in the transaction of every
        // insert and delete, whoever writes (the Flask application too), so a
        // list's total and a deep page cost the same at any table size; see
        // `ListCounters` and docs/design.md, "Totals and deep pages". The
        // tables are locked while the counts are backfilled, so no write
        // falls between the count and the trigger.
        Migration(version: 5, name: "counts kept by triggers", postgres: ListCounters.postgresMigration,
                  sqlite: ListCounters.sqliteMigration),
    ]

    /// The first version with `token_validity`; below it, password changes
    /// and deletions cannot end earlier tokens.
    public static let tokenValidityVersion = 3

    /// The first version with the trigger-kept counts of `ListCounters`.
    public static let listCountsVersion = 5

    /// The newest version this build knows.
    public static var latestVersion: Int { all.last?.version ?? 0 }

    /// An arbitrary constant naming Paddock's migration lock among advisory locks.
    static let advisoryLockKey = 7_263_110_342

    /// Released by the transaction's end, commit or rollback (or a broken connection).
    static let lock = SQLStatement("migrations.lock", "SELECT pg_advisory_xact_lock($1)")
    static let applied = SQLStatement("migrations.applied", "SELECT version FROM schema_migrations ORDER BY version")
    static let record = SQLStatement("migrations.record",
                                     "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")

    static func tablesStatement(_ dialect: SQLDialect) -> SQLStatement {
        switch dialect {
        case .postgres:
            return SQLStatement("migrations.tables", "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ($1, $2, $3)")
        case .sqlite:
            return SQLStatement("migrations.tables", "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ($1, $2, $3)")
        }
    }

    static func createTrackingTable(_ dialect: SQLDialect) -> String {
        let time = dialect == .postgres ? "TIMESTAMPTZ" : "TEXT"
        return "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_at \(time) NOT NULL)"
    }

    /// Which of `users`, `posts` and `schema_migrations` exist.
    static func existingTables(_ db: DatabaseConnection) throws -> Set<String> {
        let rows = try db.query(tablesStatement(db.dialect), [.text("users"), .text("posts"), .text("schema_migrations")])
        return Set(rows.compactMap { $0.text(0) })
    }

    /// The schema's state: whether the application's tables exist, and the
    /// applied version (0 when untracked).
    public static func status(_ db: DatabaseConnection) throws -> (tablesExist: Bool, version: Int) {
        let tables = try existingTables(db)
        let version = tables.contains("schema_migrations") ? (try db.query(applied, []).compactMap { $0.int(0) }.max() ?? 0) : 0
        return (tables.contains("users") && tables.contains("posts"), version)
    }

    /// Applies every pending migration and returns what it did, one line each
    /// ("baseline 1 ...", "applied 2 ..."). Idempotent: nothing pending, nothing done.
    @discardableResult
    public static func migrate(_ db: DatabaseConnection, logger: Logger) throws -> [String] {
        // Rebuilding a table on SQLite needs foreign keys off (or dropping
        // `users` would cascade into `posts`), and the pragma does nothing
        // inside a transaction, so it is set around the whole run. Rows that
        // broke a key before (the Flask stack's SQLite runs with foreign keys
        // off) are copied as they are rather than failing the migration.
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
                _ = try db.query(lock, [.int(advisoryLockKey)])
            }
            try db.executeScript(createTrackingTable(db.dialect))
            var done: [String] = []
            var versions = Set(try db.query(applied, []).compactMap { $0.int(0) })
            if versions.isEmpty {
                let tables = try existingTables(db)
                if tables.contains("users") && tables.contains("posts") {
                    let base = all[0]
                    try db.execute(record, [.int(base.version), .text(base.name + " (baseline: tables already present)"),
                                            .text(DatabaseTimestamp.now())])
                    versions.insert(base.version)
                    done.append("baseline \(base.version) \(base.name): users and posts already exist")
                }
            }
            for m in all where !versions.contains(m.version) {
                let sql = m.sql(for: db.dialect)
                if !sql.isEmpty { try db.executeScript(sql) }
                try db.execute(record, [.int(m.version), .text(m.name), .text(DatabaseTimestamp.now())])
                done.append("applied \(m.version) \(m.name)")
            }
            for line in done { logger.info("migration \(line)") }
            return done
        }
    }
}
