/// A value bound to a statement parameter or read from a result column.
/// Only the types the application stores: integers, text and NULL.
/// Timestamps travel as ISO-8601 text (see `DatabaseTimestamp`).
public enum DatabaseValue: Sendable, Equatable {
    case null
    case int(Int)
    case text(String)
}

/// One result row. Columns are read by position, in the order of the
/// statement's select list.
public struct DatabaseRow: Sendable {
    public var values: [DatabaseValue]

    public init(_ values: [DatabaseValue]) { self.values = values }

    /// The column as an integer. PostgreSQL's text results are parsed here.
    public func int(_ column: Int) -> Int? {
        switch values[column] {
        case .int(let v): return v
        case .text(let s): return Int(s)
        case .null: return nil
        }
    }

    /// The column as text (integers are formatted).
    public func text(_ column: Int) -> String? {
        switch values[column] {
        case .text(let s): return s
        case .int(let v): return String(v)
        case .null: return nil
        }
    }
}
