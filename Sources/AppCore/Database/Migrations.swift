import Paddock
import PaddockSQL

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

    /// Runs `all`; a database the Flask deployment made (`users` and `posts`
    /// present, nothing recorded) is adopted at version 1.
    static let runner = MigrationRunner(migrations: all, baselineTables: ["users", "posts"])

    /// Records an applied version (tests write Flask-era rows with it).
    static var record: SQLStatement { MigrationRunner.record }

    /// The tracking table's DDL (tests build Flask-era databases with it).
    static func createTrackingTable(_ dialect: SQLDialect) -> String { MigrationRunner.createTrackingTable(dialect) }

    /// The schema's state: whether the application's tables exist, and the
    /// applied version (0 when untracked).
    public static func status(_ db: DatabaseConnection) throws -> (tablesExist: Bool, version: Int) {
        try runner.status(db)
    }

    /// Applies every pending migration and returns what it did, one line each
    /// ("baseline 1 ...", "applied 2 ..."). Idempotent: nothing pending, nothing done.
    @discardableResult
    public static func migrate(_ db: DatabaseConnection, logger: Logger) throws -> [String] {
        try runner.migrate(db, logger: logger)
    }
}
