/// One schema change: a version number, a name for the logs, and its DDL in
/// both dialects.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let postgres: String
    public let sqlite: String

    public func sql(for dialect: SQLDialect) -> String {
        dialect == .postgres ? postgres : sqlite
    }
}
