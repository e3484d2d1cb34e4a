/// `database_url` parsed: one function for the master's check (config load,
/// `--check-config`, HUP) and the worker's connection, so a URL the master
/// accepts is one a worker can open.
public enum DatabaseURL: Sendable, Equatable {
    /// A SQLite file path (relative to the working directory unless it starts
    /// with `/`), or `:memory:`.
    case sqlite(path: String)
    /// A libpq connection URI: as written, but `postgresql://` for SQLAlchemy's `postgresql+driver://`.
    case postgres(uri: String)

    /// Why a URL was refused, without the URL (which may hold a password).
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// Schemes SQLAlchemy and Heroku write for PostgreSQL; libpq knows only the first two.
    static let postgresSchemes = ["postgresql", "postgres", "postgresql+psycopg2", "postgresql+psycopg", "postgresql+pg8000"]

    /// Parses `sqlite:///relative.db`, `sqlite:////absolute.db`, `sqlite:///:memory:`,
    /// and `postgresql://...` (also `postgres://` and SQLAlchemy's
    /// `postgresql+psycopg2://` and `postgresql+psycopg://`, handed to libpq as `postgresql://`);
    /// the scheme is matched in any case.
    public static func parse(_ url: String) throws(Problem) -> DatabaseURL {
        guard let (schemeText, restText) = splitScheme(url) else {
            throw Problem(message: "not a URL (use sqlite:///file.db or postgresql://user@host/db)")
        }
        let scheme = schemeText.lowercased()
        let rest = String(restText)
        if scheme == "sqlite" {
            guard rest.hasPrefix("/") else {
                throw Problem(message: "a SQLite URL has three slashes: sqlite:///relative.db or sqlite:////absolute/path.db")
            }
            let path = String(rest.dropFirst())
            guard !path.isEmpty else { throw Problem(message: "no file name after sqlite:///") }
            return .sqlite(path: path)
        }
        guard postgresSchemes.contains(scheme) else {
            throw Problem(message: "unsupported scheme \(String(reflecting: scheme + "://")) (use sqlite:///file.db or postgresql://user@host/db)")
        }
        try checkPostgresSyntax(rest)
        // libpq knows postgresql:// and postgres://, in lower case only; SQLAlchemy's driver suffix is dropped.
        return .postgres(uri: schemeText == "postgresql" || schemeText == "postgres" ? url : "postgresql://" + rest)
    }

    /// libpq's URI grammar, as far as a mistake would only show once a worker
    /// connects: `[user[:password]@][host][:port][,host[:port]...][/dbname][?param=value&...]`.
    static func checkPostgresSyntax(_ rest: String) throws(Problem) {
        guard !rest.contains(where: { $0.isWhitespace }) else { throw Problem(message: "white space in the URL (percent-encode it as %20)") }
        let beforeQuery = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let authorityAndPath = beforeQuery[0]
        let authority = authorityAndPath.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let hosts = authority.lastIndex(of: "@").map { authority[authority.index(after: $0)...] } ?? authority
        for host in hosts.split(separator: ",", omittingEmptySubsequences: false) {
            var port: Substring?
            if host.hasPrefix("[") {
                guard let close = host.firstIndex(of: "]") else { throw Problem(message: "unclosed \"[\" in the host") }
                let after = host[host.index(after: close)...]
                if !after.isEmpty {
                    guard after.hasPrefix(":") else { throw Problem(message: "unexpected text after \"]\" in the host") }
                    port = after.dropFirst()
                }
            } else if let colon = host.firstIndex(of: ":") {
                port = host[host.index(after: colon)...]
            }
            if let port {
                guard let n = Int(port), n >= 1, n <= 65535, port.allSatisfy(\.isASCIIDigit) else {
                    throw Problem(message: "invalid port \(String(reflecting: String(port))) (1 to 65535)")
                }
            }
        }
        if beforeQuery.count == 2 {
            for pair in beforeQuery[1].split(separator: "&") where !pair.contains("=") {
                throw Problem(message: "query parameter \(String(reflecting: String(pair))) has no \"=value\"")
            }
        }
        var index = rest.startIndex
        while let percent = rest[index...].firstIndex(of: "%") {
            let digits = rest[rest.index(after: percent)...].prefix(2)
            guard digits.count == 2, digits.allSatisfy(\.isHexDigit) else {
                throw Problem(message: "\"%\" not followed by two hex digits (write %25 for a literal %)")
            }
            index = rest.index(percent, offsetBy: 3)
        }
    }

    /// `text` for a message: a URL's password replaced by `***`
    /// (`postgresql://user:***@host`); anything else that is not a URL
    /// becomes `<redacted>`, since it could be a secret.
    public static func redacting(_ text: String) -> String {
        guard let (_, rest) = splitScheme(text) else { return text.isEmpty ? text : "<redacted>" }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@"),
              let colon = rest[..<at].firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }

    /// `scheme://rest` split at the first `://`.
    static func splitScheme(_ url: String) -> (scheme: Substring, rest: Substring)? {
        var index = url.startIndex
        while let colon = url[index...].firstIndex(of: ":") {
            let after = url[url.index(after: colon)...]
            if after.hasPrefix("//") { return (url[..<colon], after.dropFirst(2)) }
            index = url.index(after: colon)
        }
        return nil
    }

    /// For `Settings.databaseURL`'s check: the problem, or nil.
    @Sendable static func check(_ url: String) -> String? {
        do throws(Problem) { _ = try parse(url); return nil } catch { return error.message }
    }
}
