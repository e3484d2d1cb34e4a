import ServerCore

/// Where the database is, parsed from `database_url`.
public enum DatabaseLocation: Sendable, Equatable {
    /// A SQLite file path (relative to the working directory unless it starts
    /// with `/`), or `:memory:`.
    case sqlite(path: String)
    /// A libpq connection URI, passed to libpq unchanged.
    case postgres(uri: String)

    /// Parses `database_url` with `DatabaseURL.parse`, the same function the
    /// master's configuration check uses.
    public init(url: String) throws {
        do throws(DatabaseURL.Problem) {
            switch try DatabaseURL.parse(url) {
            case .sqlite(let path): self = .sqlite(path: path)
            case .postgres(let uri): self = .postgres(uri: uri)
            }
        } catch {
            throw DatabaseError(.other, call: "database_url", message: error.message)
        }
    }

    public var dialect: SQLDialect {
        switch self {
        case .sqlite: return .sqlite
        case .postgres: return .postgres
        }
    }

    /// The URL with any password replaced, for log lines.
    public var redacted: String {
        switch self {
        case .sqlite(let path): return "sqlite:///\(path)"
        case .postgres(let uri):
            // postgresql://user:secret@host -> postgresql://user:***@host
            let chars = Array(uri)
            guard let colonSlash = (0..<max(0, chars.count - 2)).first(where: { chars[$0] == ":" && chars[$0 + 1] == "/" && chars[$0 + 2] == "/" }) else { return uri }
            let start = colonSlash + 3
            guard let at = chars[start...].firstIndex(of: "@"),
                  let colon = chars[start..<at].firstIndex(of: ":") else { return uri }
            return String(chars[..<colon]) + ":***" + String(chars[at...])
        }
    }
}

/// Opens connections as the configuration says.
public enum Database {
    /// A new, not yet connected, connection for `configuration`'s `database_url`.
    public static func connection(for configuration: Configuration, logger: Logger) throws -> DatabaseConnection {
        let location = try DatabaseLocation(url: configuration[Settings.databaseURL])
        switch location {
        case .sqlite(let path):
            return SQLiteConnection(path: path)
        case .postgres(let uri):
            return PostgresConnection(uri: uri,
                                      connectTimeout: configuration[Settings.dbConnectTimeout],
                                      statementTimeout: configuration[Settings.dbStatementTimeout],
                                      statementMode: configuration[Settings.dbPreparedStatements],
                                      logger: logger)
        }
    }

    /// Whether migrations run at start: `auto_migrate`, with `auto` = on for SQLite, off for PostgreSQL.
    public static func autoMigrates(_ configuration: Configuration) throws -> Bool {
        switch configuration[Settings.autoMigrate] {
        case .on: return true
        case .off: return false
        case .auto: return try DatabaseLocation(url: configuration[Settings.databaseURL]).dialect == .sqlite
        }
    }
}
