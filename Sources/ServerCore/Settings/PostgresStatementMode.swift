/// How statements reach PostgreSQL (`db_prepared_statements`).
public enum PostgresStatementMode: String, Sendable, CaseIterable {
    /// Named statements under a hash of their text, re-prepared where a
    /// server connection lacks them, and unnamed inside explicit
    /// transactions: prepared-statement speed on a direct connection, and
    /// safe behind PgBouncer's transaction pooling (see `PostgresConnection`).
    case auto
    /// Named statements prepared once per connection and a session-level
    /// `statement_timeout`: a direct connection or session pooling only.
    case on
    /// Every statement unnamed, parsed and planned each time.
    case off
}
