import Paddock
import PaddockSQL

/// Why `seed` refused to run.
public struct SeedError: Error, CustomStringConvertible {
    public let description: String
}

/// The database commands of the `paddock` CLI (`paddock migrate`, `paddock seed`).
public enum AppCommands {
    /// Applies pending migrations to `database_url` and logs each one (or
    /// that there was nothing to do). Safe to run while workers serve and
    /// concurrently with itself.
    public static func migrate(configuration: Configuration, logger: Logger) throws {
        let db = try Database.connection(for: configuration, logger: logger)
        defer { db.close() }
        try db.connect()
        let done = try Migrations.migrate(db, logger: logger)
        if done.isEmpty {
            logger.info("database schema is up to date (version \(Migrations.latestVersion))")
        } else {
            logger.info("database schema migrated to version \(Migrations.latestVersion)")
        }
    }

    static let seedUser = SQLStatement("seed_user", """
        INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)
        """)
    static let seedPost = SQLStatement("seed_post", """
        INSERT INTO posts (id, user_id, title, content, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)
        """)
    /// Before ids are handed out again: the replaced accounts' tokens must
    /// not act as the seeded accounts that get their ids.
    static let cutOffEveryToken = SQLStatement("seed_cut_off_tokens", """
        INSERT INTO token_validity (user_id, valid_after_us) SELECT id, CAST($1 AS BIGINT) FROM users WHERE true
        ON CONFLICT (user_id) DO UPDATE SET valid_after_us = excluded.valid_after_us
        """)
    /// After a bulk load on PostgreSQL: each batch updated every count row
    /// a thousand times in one transaction, and versions a transaction is
    /// still using cannot be pruned, so the small count tables grew to tens
    /// of pages that VACUUM empties but cannot give back while live rows sit
    /// in the last one. Every list request sums a count table, so each such
    /// page is read by every request (measured: 26 pages after 5,000 users,
    /// 0.15 ms instead of 0.05 ms per total). Rewriting them leaves one page;
    /// afterwards single-row writers keep them there (updates that stay in
    /// their page, pruned as they go). SQLite updates rows in place.
    static func compactListCounts(_ db: DatabaseConnection) throws {
        // One statement per call: VACUUM runs outside any transaction.
        try db.executeScript("VACUUM (FULL, ANALYZE) \(ListCounters.tableNames.joined(separator: ", "))")
    }
    static let countRows = SQLStatement("seed_count", "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM posts)")
    /// Rows per transaction: large enough that commits (fsyncs) do not
    /// dominate, small enough that other workers are not locked out for long.
    static let batchSize = 1000

    /// Fills the database with API.md's benchmark data: users `user<i>@example.com`
    /// (ids 1...`users`, password `password123`) and `users * postsPerUser`
    /// posts assigned round-robin (post i belongs to user `(i - 1) % users + 1`),
    /// each a second newer than the one before.
    ///
    /// Refuses a database that already has users or posts unless `force`,
    /// which empties both tables and resets their id sequences first.
    public static func seed(configuration: Configuration, users: Int = 1000, postsPerUser: Int = 10, force: Bool,
                            progress: (String) -> Void) throws {
        guard users >= 1, postsPerUser >= 0 else { throw SeedError(description: "seed needs at least one user") }
        let logger = Logger.standardError()
        let db = try Database.connection(for: configuration, logger: logger)
        defer { db.close() }
        try db.connect()
        try Migrations.migrate(db, logger: logger)

        let counts = try db.queryOne(countRows, [])
        let existingUsers = counts?.int(0) ?? 0, existingPosts = counts?.int(1) ?? 0
        if existingUsers + existingPosts > 0 {
            guard force else {
                throw SeedError(description: "the database already has \(existingUsers) users and \(existingPosts) posts; seed --force replaces them")
            }
            try db.transaction(write: true) {
                let (seconds, nanoseconds) = Clock.realtime()
                try db.execute(cutOffEveryToken, [.int(Int(seconds) * 1_000_000 + Int(nanoseconds / 1000))])
                switch db.dialect {
                case .postgres: try db.executeScript("TRUNCATE posts, users RESTART IDENTITY CASCADE")
                case .sqlite: try db.executeScript("DELETE FROM posts; DELETE FROM users; DELETE FROM sqlite_sequence WHERE name IN ('users', 'posts')")
                }
            }
            progress("removed \(existingUsers) users and \(existingPosts) posts")
        }

        // Benchmark data only: every user gets the same hash of the same
        // password, computed once, so 1000 users take milliseconds instead of
        // a minute of scrypt. The hash is a normal one; logins verify it as usual.
        let hash = PasswordHasher(scryptN: configuration[Settings.passwordScryptN]).hash("password123")
        let totalPosts = users * postsPerUser
        let base = Clock.realtime().seconds - Int64(totalPosts) - 1

        var next = 1
        while next <= users {
            let last = min(users, next + batchSize - 1)
            try db.transaction(write: true) {
                for i in next...last {
                    try db.execute(seedUser, [.int(i), .text("user\(i)@example.com"), .text("User \(i)"), .text(hash),
                                              .text(DatabaseTimestamp.format(seconds: base, microseconds: 0))])
                }
            }
            progress("users \(last)/\(users)")
            next = last + 1
        }
        next = 1
        while next <= totalPosts {
            let last = min(totalPosts, next + batchSize - 1)
            try db.transaction(write: true) {
                for i in next...last {
                    let author = (i - 1) % users + 1
                    try db.execute(seedPost, [.int(i), .int(author), .text("Post \(i)"),
                                              .text("Content of post \(i) by user \(author)."),
                                              .text(DatabaseTimestamp.format(seconds: base + Int64(i), microseconds: 0))])
                }
            }
            progress("posts \(last)/\(totalPosts)")
            next = last + 1
        }
        if db.dialect == .postgres {
            // Explicit ids do not advance SERIAL sequences; without this the
            // next registration would collide with user 1.
            try db.executeScript("""
                SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users));
                SELECT setval(pg_get_serial_sequence('posts', 'id'), (SELECT max(id) FROM posts));
                """)
            try compactListCounts(db)
        }
        progress("seeded \(users) users and \(totalPosts) posts")
    }
}
