/// Which SQL dialect a connection speaks, for the few statements that differ
/// (DDL, sequence handling, catalog queries).
public enum SQLDialect: Sendable {
    case postgres
    case sqlite
}

/// One connection to the application's database, used by one thread.
///
/// Statements are prepared on first use and cached per connection; parameters
/// are always bound. A connection that lost its server reports
/// `DatabaseError.Kind.unavailable` and reconnects by itself on a later call.
public protocol DatabaseConnection: AnyObject {
    var dialect: SQLDialect { get }

    /// Runs a statement and returns its rows (none for INSERT/UPDATE/DELETE
    /// without RETURNING).
    func query(_ statement: SQLStatement, _ parameters: [DatabaseValue]) throws -> [DatabaseRow]

    /// Runs a statement and returns the number of rows it changed.
    @discardableResult
    func execute(_ statement: SQLStatement, _ parameters: [DatabaseValue]) throws -> Int

    /// Runs fixed SQL without parameters (DDL, transaction control). Never
    /// pass text containing values here.
    func executeScript(_ sql: String) throws

    /// Starts a transaction. `write` takes the write lock up front where that
    /// matters (SQLite `BEGIN IMMEDIATE`), so a transaction never fails half
    /// way through on a lock upgrade.
    func begin(write: Bool) throws
    func commit() throws
    func rollback()

    /// `SELECT 1`: true when the database answers (reconnecting if needed).
    func ping() -> Bool

    /// Opens the connection if it is not open (throttled after a failure).
    func connect() throws

    func close()
}

extension DatabaseConnection {
    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(write: Bool = true, _ body: () throws -> T) throws -> T {
        try begin(write: write)
        do {
            let result = try body()
            try commit()
            return result
        } catch {
            rollback()
            throw error
        }
    }

    /// The first row, or nil.
    public func queryOne(_ statement: SQLStatement, _ parameters: [DatabaseValue]) throws -> DatabaseRow? {
        try query(statement, parameters).first
    }
}
