/// Every statement the handlers run, declared once, valid in both dialects
/// (the one pair that cannot be says so in its name).
enum Queries {
    static let userByID = SQLStatement("user_by_id", "SELECT \(User.columns) FROM users WHERE id = $1")
    static let userByEmail = SQLStatement("user_by_email", "SELECT \(User.columns) FROM users WHERE email = $1")
    static let userExists = SQLStatement("user_exists", "SELECT 1 FROM users WHERE id = $1")
    static let countUsers = SQLStatement("count_users", "SELECT count(*) FROM users")
    static let pageOfUsers = SQLStatement("page_of_users", "SELECT \(User.columns) FROM users ORDER BY id LIMIT $1 OFFSET $2")
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
    static let countPostsOfUser = SQLStatement("count_posts_of_user", "SELECT count(*) FROM posts WHERE user_id = $1")
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
