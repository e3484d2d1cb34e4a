/// A database failure, classified so the application can answer it:
/// `unavailable` becomes 503, `uniqueViolation` 409, anything else 500.
public struct DatabaseError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The server cannot be reached or the connection broke; retrying later may work.
        case unavailable
        /// A UNIQUE constraint rejected the row (PostgreSQL 23505, SQLITE_CONSTRAINT_UNIQUE).
        case uniqueViolation
        /// A foreign key rejected the row.
        case foreignKeyViolation
        /// Anything else: bad SQL, a timeout, a full disk.
        case other
    }

    public let kind: Kind
    /// The library call that failed (`PQexecPrepared`, `sqlite3_step`).
    public let call: String
    /// The library's message, plus the statement's name where there is one.
    public let message: String

    public init(_ kind: Kind, call: String, message: String) {
        self.kind = kind
        self.call = call
        self.message = message
    }

    public var description: String { "\(call) failed: \(message)" }
}
