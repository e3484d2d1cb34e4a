/// What the `auto` statement mode did, per connection: tests read it to see
/// which path ran, and it tells how often a pooler moved us.
public struct PostgresStatementCounters: Sendable, Equatable {
    /// Statements executed by name with nothing to prepare (the fast path).
    public var executedPrepared = 0
    /// Statements executed by name right after preparing them in the same round trip.
    public var preparedThenExecuted = 0
    /// Round trips repeated because the server connection lacked a statement
    /// (26000) or already had one (42P05): another server connection, behind a pooler.
    public var retries = 0
    /// Statements that gave up on names and ran unnamed.
    public var unnamedFallbacks = 0

    public init() {}
}
