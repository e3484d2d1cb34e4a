/// The classes `paddock_db_errors_total` counts failed database calls in,
/// one per kind of `DatabaseError` (PaddockSQL) so an alert can tell an
/// outage from a conflict.
public enum DatabaseErrorClass: Int, CaseIterable, Sendable {
    /// The server could not be reached, the connection broke, or (SQLite)
    /// the lock stayed taken past `busy_timeout`.
    case unavailable = 0
    /// A UNIQUE constraint rejected the row.
    case uniqueViolation
    /// A foreign key rejected the row.
    case foreignKeyViolation
    /// Anything else: bad SQL, a statement timeout, a full disk.
    case other

    /// The `class` label.
    public var label: String {
        switch self {
        case .unavailable: return "unavailable"
        case .uniqueViolation: return "unique_violation"
        case .foreignKeyViolation: return "foreign_key_violation"
        case .other: return "other"
        }
    }
}
