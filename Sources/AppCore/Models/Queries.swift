import Paddock
import PaddockSQL

/// Every statement the handlers run, declared once, valid in both dialects
/// (the one pair that cannot be says so in its name).
enum Queries {
    static let userByID = SQLStatement("user_by_id", "SELECT \(User.columns) FROM users WHERE id = $1")
    static let userByEmail = SQLStatement("user_by_email", "SELECT \(User.columns) FROM users WHERE email = $1")
    static let userExists = SQLStatement("user_exists", "SELECT 1 FROM users WHERE id = $1")
    /// Flask-SQLAlchemy's pair, linear in the table: used only on a schema
    /// without the trigger-kept counts (before migration 5).
    static let countUsersScanning = SQLStatement("count_users_scanning", "SELECT count(*) FROM users")
    static let pageOfUsersByOffset = SQLStatement("page_of_users_by_offset", "SELECT \(User.columns) FROM users ORDER BY id LIMIT $1 OFFSET $2")
    /// The number of users, from at most `ListCounters.totalShards` rows.
    /// The always-true `shard >= 0` lets PostgreSQL reach them through the
    /// primary key: a bulk load updates each row thousands of times in one
    /// transaction, leaving a file of hundreds of pages that VACUUM empties
    /// but does not shrink, which a sequential scan reads whole (1.2 ms
    /// instead of 0.07 at 100,000 users seeded).
    static let countUsers = SQLStatement("count_users", "SELECT CAST(coalesce(sum(n), 0) AS BIGINT) FROM user_count_shards WHERE shard >= 0")
    /// The block of ids holding the user of rank $1 (0-based, in id order),
    /// and how many users come before that block: the superblock first
    /// (one row per 32,768 ids), then its blocks (at most 32 rows). Never
    /// reads `users`. Both read through the primary key (see `countUsers`).
    static let blockOfUserRank = SQLStatement("block_of_user_rank", """
        WITH supers AS (
            SELECT superblock, n, sum(n) OVER (ORDER BY superblock) - n AS before FROM user_id_superblock_counts
            WHERE superblock >= 0),
        start AS (
            SELECT superblock, before FROM supers WHERE before <= $1 AND $1 < before + n ORDER BY superblock LIMIT 1),
        blocks AS (
            SELECT block, n, start.before + sum(n) OVER (ORDER BY block) - n AS before FROM user_id_block_counts, start
            WHERE block >= start.superblock * \(ListCounters.blocksPerSuperblock)
              AND block < (start.superblock + 1) * \(ListCounters.blocksPerSuperblock))
        SELECT block, CAST(before AS BIGINT) FROM blocks WHERE before <= $1 AND $1 < before + n ORDER BY block LIMIT 1
        """)
    /// $3 users in id order from the one $2 places after the first id at or
    /// above $1: the skip walks the primary key inside one block only.
    static let pageOfUsersFromBlock = SQLStatement("page_of_users_from_block", """
        SELECT \(User.columns) FROM users
        WHERE id >= (SELECT id FROM users WHERE id >= $1 ORDER BY id LIMIT 1 OFFSET $2)
        ORDER BY id LIMIT $3
        """)
    /// $2 users in id order after id $1 (the `after_id` cursor).
    static let usersAfterID = SQLStatement("users_after_id", "SELECT \(User.columns) FROM users WHERE id > $1 ORDER BY id LIMIT $2")
    /// How many users have an id at or below $1: whole superblocks and
    /// blocks from the counts ($2 the superblock of $1, $3 its block, $4
    /// the block's first id, $5 the superblock's first block), the rest of
    /// the block through the primary key.
    static let rankOfUserID = SQLStatement("rank_of_user_id", """
        SELECT CAST((SELECT coalesce(sum(n), 0) FROM user_id_superblock_counts WHERE superblock < $2)
            + (SELECT coalesce(sum(n), 0) FROM user_id_block_counts WHERE block >= $5 AND block < $3)
            + (SELECT count(*) FROM users WHERE id >= $4 AND id <= $1) AS BIGINT)
        """)
    static let insertUser = SQLStatement("insert_user", """
        INSERT INTO users (email, name, password_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
        RETURNING \(User.columns)
        """)
    static let updateUser = SQLStatement("update_user", """
        UPDATE users SET email = $2, name = $3, password_hash = $4, updated_at = $5 WHERE id = $1
        RETURNING \(User.columns)
        """)
    static let deleteUser = SQLStatement("delete_user", "DELETE FROM users WHERE id = $1")
    /// A token's user, and the instant before which its tokens are refused
    /// (NULL: none recorded). Needs `token_validity` (migration 3).
    static let tokenUserByID = SQLStatement("token_user_by_id", """
        SELECT \(User.columns), valid_after_us FROM users
        LEFT JOIN token_validity ON token_validity.user_id = users.id WHERE users.id = $1
        """)
    /// The password hash, read where tokens are issued (see
    /// `UsersApplication.issueInstant(for:)`). PostgreSQL: the row lock
    /// waits for a password change or deletion in flight; SQLite needs none,
    /// as the caller's write transaction already excludes every writer.
    static let passwordHashForIssuePostgres = SQLStatement("password_hash_for_issue_locked", "SELECT password_hash FROM users WHERE id = $1 FOR SHARE")
    static let passwordHashForIssueSQLite = SQLStatement("password_hash_for_issue", "SELECT password_hash FROM users WHERE id = $1")
    /// Refuses the user's tokens issued before $2 (microseconds since the
    /// epoch); the latest event wins.
    static let cutOffTokens = SQLStatement("cut_off_tokens", """
        INSERT INTO token_validity (user_id, valid_after_us) VALUES ($1, $2)
        ON CONFLICT (user_id) DO UPDATE SET valid_after_us = excluded.valid_after_us
        """)

    static let postByID = SQLStatement("post_by_id", "SELECT \(Post.columns) FROM posts WHERE id = $1")
    static let countPostsOfUserScanning = SQLStatement("count_posts_of_user_scanning", "SELECT count(*) FROM posts WHERE user_id = $1")
    /// A user's posts, from at most `ListCounters.postShards` rows.
    static let countPostsOfUser = SQLStatement("count_posts_of_user", "SELECT CAST(coalesce(sum(n), 0) AS BIGINT) FROM post_counts WHERE user_id = $1")
    static let pageOfPostsOfUser = SQLStatement("page_of_posts_of_user", """
        SELECT \(Post.columns) FROM posts WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3
        """)
    static let insertPost = SQLStatement("insert_post", """
        INSERT INTO posts (user_id, title, content, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
        RETURNING \(Post.columns)
        """)
    static let updatePost = SQLStatement("update_post", """
        UPDATE posts SET title = $2, content = $3, updated_at = $4 WHERE id = $1 RETURNING \(Post.columns)
        """)
    static let deletePost = SQLStatement("delete_post", "DELETE FROM posts WHERE id = $1")
    /// Explicit, so deleting a user also works on a database whose foreign
    /// key lacks ON DELETE CASCADE (or SQLite with foreign keys off).
    static let deletePostsOfUser = SQLStatement("delete_posts_of_user", "DELETE FROM posts WHERE user_id = $1")
}
