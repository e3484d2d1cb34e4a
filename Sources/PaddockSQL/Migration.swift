/// One schema change: a version number, a name for the logs, and its DDL in
/// both dialects (empty where a dialect needs no change; the version is
/// still recorded).
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let postgres: String
    public let sqlite: String

    /// `postgres` and `sqlite` are scripts (several statements); empty where
    /// the dialect needs nothing.
    public init(version: Int, name: String, postgres: String, sqlite: String) {
        self.version = version
        self.name = name
        self.postgres = postgres
        self.sqlite = sqlite
    }

    public func sql(for dialect: SQLDialect) -> String {
        dialect == .postgres ? postgres : sqlite
    }
}
