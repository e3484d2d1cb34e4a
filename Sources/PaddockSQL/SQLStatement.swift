/// A statement the application runs, written once with PostgreSQL's `$1`
/// placeholders. SQLite reads the same text with `?1` placeholders, so one
/// declaration serves both drivers. Values are always bound, never spliced in.
public struct SQLStatement: Sendable, Hashable {
    /// The name PostgreSQL prepares it under; unique per statement.
    public let name: String
    public let sql: String

    public init(_ name: String, _ sql: String) {
        self.name = name
        self.sql = sql
    }

    /// The text with `$n` placeholders turned into SQLite's `?n`.
    /// The statements carry no `$` anywhere else (no dollar quoting).
    var sqliteText: String { String(sql.map { $0 == "$" ? "?" : $0 }) }
}
