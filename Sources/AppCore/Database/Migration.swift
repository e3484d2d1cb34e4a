/// One schema change: a version number, a name for the logs, and its DDL in
/// both dialects (empty where a dialect needs no change; the version is
/// still recorded).
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let postgres: String
    public let sqlite: String

    public func sql(for dialect: SQLDialect) -> String {
        dialect == .postgres ? postgres : sqlite
    }
}
