import CLibPQ
import Posix
import ServerCore

/// A PostgreSQL connection (libpq), one per worker.
///
/// Statements are prepared (`PQprepare`) on first use under their names and
/// prepared again after a reconnect. When the server goes away the request in
/// flight gets `DatabaseError.Kind.unavailable` (503), the connection is
/// dropped, and a later call reconnects. Reconnect attempts are throttled to
/// one per `retryInterval`, so while the database is down a request costs
/// microseconds instead of a connect attempt each.
public final class PostgresConnection: DatabaseConnection {
    public var dialect: SQLDialect { .postgres }
    /// The libpq URI as configured (may hold a password: never log it).
    private let uri: String
    /// The connect timeout in whole seconds; libpq ignores fractions and treats values below 2 as 2.
    public let connectTimeoutSeconds: Int
    /// Sent as the session's `statement_timeout`, in milliseconds (0 = none).
    public let statementTimeoutMilliseconds: Int
    /// Shortest time between two connect attempts after a failure.
    public let retryInterval: UInt64
    private let logger: Logger

    private var conn: OpaquePointer?
    private var prepared: Set<String> = []
    /// No connect attempt before this monotonic time (nil: try at once).
    private var retryAfter: UInt64?
    private var lastFailure = "not connected yet"

    public init(uri: String, connectTimeout: Double, statementTimeout: Double, logger: Logger,
                retryIntervalMilliseconds: UInt64 = 500) {
        self.uri = uri
        self.connectTimeoutSeconds = max(2, Int(connectTimeout.rounded(.up)))
        self.statementTimeoutMilliseconds = Int((statementTimeout * 1000).rounded())
        self.retryInterval = retryIntervalMilliseconds * 1_000_000
        self.logger = logger
    }

    deinit { close() }

    /// The URI handed to `PQconnectdb`: the configured one plus a connect
    /// timeout unless it sets one itself. libpq parses the rest (sslmode, host lists, ...).
    var connectionString: String {
        let timeout = "connect_timeout=\(connectTimeoutSeconds)"
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count > 1 else { return uri + "?" + timeout }
        let query = parts[1]
        let names = query.split(separator: "&").map { $0.prefix { $0 != "=" } }
        if names.contains("connect_timeout") { return uri }
        return uri + (query.isEmpty || query.hasSuffix("&") ? "" : "&") + timeout
    }

    public var isConnected: Bool { conn != nil }

    public func connect() throws {
        if conn != nil { return }
        let started = Clock.monotonicNanoseconds()
        if let retryAfter, started < retryAfter {
            throw DatabaseError(.unavailable, call: "PQconnectdb", message: lastFailure)
        }
        guard let c = PQconnectdb(connectionString) else {
            throw connectFailed("out of memory", started: started)
        }
        guard PQstatus(c) == CONNECTION_OK else {
            let message = Self.trimmed(String(cString: PQerrorMessage(c)))
            PQfinish(c)
            throw connectFailed(message, started: started)
        }
        conn = c
        prepared.removeAll()
        do {
            // Bound like everything else; UTC and ISO make timestamptz text
            // come back as `2024-01-01 00:01:00.123456+00`.
            _ = try run(name: nil, sql: "SELECT set_config('statement_timeout', $1, false), set_config('TimeZone', 'UTC', false), set_config('DateStyle', 'ISO, YMD', false)",
                        [.text(String(statementTimeoutMilliseconds))], collect: false)
        } catch {
            drop()
            retryAfter = Clock.monotonicNanoseconds() + retryInterval
            lastFailure = "\(error)"
            throw error
        }
        retryAfter = nil
        logger.info("database connected: \(DatabaseLocation.postgres(uri: uri).redacted)")
    }

    /// Records a failed attempt and when the next may start: after
    /// `retryInterval`, or twice as long as this attempt blocked if that is
    /// longer. A refused connection fails in microseconds and is retried
    /// a few times a second; an unreachable host that costs the whole
    /// connect timeout is retried rarely enough that the worker spends at
    /// most a third of its time waiting on it.
    private func connectFailed(_ message: String, started: UInt64) -> DatabaseError {
        let ended = Clock.monotonicNanoseconds()
        retryAfter = ended + max(retryInterval, 2 * (ended - started))
        lastFailure = message
        return DatabaseError(.unavailable, call: "PQconnectdb", message: message)
    }

    public func close() {
        if let conn { PQfinish(conn) }
        conn = nil
        prepared.removeAll()
    }

    /// Forgets a broken connection; the next call reconnects.
    private func drop() {
        close()
    }

    private static func trimmed(_ s: String) -> String {
        var s = Substring(s)
        while let last = s.last, last == "\n" || last == " " { s = s.dropLast() }
        return String(s.split(separator: "\n").joined(separator: "; "))
    }

    /// Classifies a failed result (or a NULL one) and drops the connection when it broke.
    private func failure(_ call: String, _ result: OpaquePointer?, context: String) -> DatabaseError {
        let c = conn
        var message = c.map { Self.trimmed(String(cString: PQerrorMessage($0))) } ?? "no connection"
        var sqlstate = ""
        if let result {
            if let m = PQresultErrorMessage(result), m.pointee != 0 { message = Self.trimmed(String(cString: m)) }
            if let s = PQresultErrorField(result, Int32(UInt8(ascii: "C"))) { sqlstate = String(cString: s) }
        }
        let broken = c == nil || PQstatus(c) != CONNECTION_OK
            || sqlstate.hasPrefix("08") || sqlstate.hasPrefix("57P")
        if broken {
            lastFailure = message
            drop()
            return DatabaseError(.unavailable, call: call, message: "\(context): \(message)")
        }
        switch sqlstate {
        case "23505": return DatabaseError(.uniqueViolation, call: call, message: "\(context): \(message)")
        case "23503": return DatabaseError(.foreignKeyViolation, call: call, message: "\(context): \(message)")
        default: return DatabaseError(.other, call: call, message: "\(context): \(message) (SQLSTATE \(sqlstate))")
        }
    }

    private func handle() throws -> OpaquePointer {
        if conn == nil { try connect() }
        guard let conn else { throw DatabaseError(.unavailable, call: "PQconnectdb", message: lastFailure) }
        return conn
    }

    /// Runs a prepared statement (`name` set) or a one-off parameterised one.
    private func run(name: String?, sql: String, _ parameters: [DatabaseValue], collect: Bool) throws -> (rows: [DatabaseRow], changed: Int) {
        let c = try handle()
        if let name, !prepared.contains(name) {
            let r = PQprepare(c, name, sql, 0, nil)
            defer { PQclear(r) }
            guard let r, PQresultStatus(r) == PGRES_COMMAND_OK else { throw failure("PQprepare", r, context: name) }
            prepared.insert(name)
        }
        // Text-format parameters: NULL is a null pointer, the rest their text.
        let texts: [String?] = parameters.map {
            switch $0 {
            case .null: return nil
            case .int(let v): return String(v)
            case .text(let t): return t
            }
        }
        let result: OpaquePointer? = withCStrings(texts) { values in
            if let name {
                return PQexecPrepared(c, name, Int32(values.count), values, nil, nil, 0)
            }
            return PQexecParams(c, sql, Int32(values.count), nil, values, nil, nil, 0)
        }
        defer { PQclear(result) }
        guard let result else { throw failure(name == nil ? "PQexecParams" : "PQexecPrepared", nil, context: name ?? "statement") }
        let status = PQresultStatus(result)
        guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK else {
            throw failure(name == nil ? "PQexecParams" : "PQexecPrepared", result, context: name ?? "statement")
        }
        let changed = Int(String(cString: PQcmdTuples(result))) ?? 0
        guard collect, status == PGRES_TUPLES_OK else { return ([], changed) }
        let n = PQntuples(result), f = PQnfields(result)
        var rows: [DatabaseRow] = []
        rows.reserveCapacity(Int(n))
        for r in 0..<n {
            var values: [DatabaseValue] = []
            values.reserveCapacity(Int(f))
            for col in 0..<f {
                if PQgetisnull(result, r, col) == 1 {
                    values.append(.null)
                } else {
                    values.append(.text(String(cString: PQgetvalue(result, r, col))))
                }
            }
            rows.append(DatabaseRow(values))
        }
        return (rows, changed)
    }

    public func query(_ statement: SQLStatement, _ parameters: [DatabaseValue]) throws -> [DatabaseRow] {
        try run(name: statement.name, sql: statement.sql, parameters, collect: true).rows
    }

    @discardableResult
    public func execute(_ statement: SQLStatement, _ parameters: [DatabaseValue]) throws -> Int {
        try run(name: statement.name, sql: statement.sql, parameters, collect: false).changed
    }

    public func executeScript(_ sql: String) throws {
        let c = try handle()
        let r = PQexec(c, sql)
        defer { PQclear(r) }
        guard let r, PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK else {
            throw failure("PQexec", r, context: String(sql.prefix(40)))
        }
    }

    public func begin(write: Bool) throws { try executeScript("BEGIN") }
    public func commit() throws { try executeScript("COMMIT") }

    public func rollback() {
        guard let conn else { return }
        // A failed ROLLBACK means the connection broke; the next call finds out and reconnects.
        let r = PQexec(conn, "ROLLBACK")
        if r == nil || PQstatus(conn) != CONNECTION_OK { drop() }
        PQclear(r)
    }

    public func ping() -> Bool {
        do {
            return try query(SQLStatement("ping", "SELECT 1"), []).first?.int(0) == 1
        } catch {
            return false
        }
    }
}

/// Calls `body` with a C array of C strings (NULL entries stay NULL), valid only during the call.
private func withCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let owned: [UnsafeMutablePointer<CChar>?] = strings.map { s in
        guard let s else { return nil }
        let bytes = s.utf8CString
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
        bytes.withUnsafeBufferPointer { p.initialize(from: $0.baseAddress!, count: bytes.count) }
        return p
    }
    defer { for p in owned { p?.deallocate() } }
    return body(owned.map { UnsafePointer($0) })
}
