import CLibPQ
import Posix
import ServerCore

/// A PostgreSQL connection (libpq), one per worker.
///
/// Nothing relies on server session state that PgBouncer's transaction
/// pooling loses (where one client's consecutive transactions may run on
/// different server connections) unless `sessionMode` is `.on`.
/// `statement_timeout` is made transaction-local (`set_config(..., true)`)
/// in the same round trip as the statement, through libpq's pipeline mode:
/// the timeout and the statement, or `BEGIN` and the timeout, then one Sync.
/// `TimeZone` and `DateStyle` are set once per connection, which PgBouncer
/// carries over (see `sessionSettingsSQL`).
///
/// `.auto` (the default) first asks whether the connection is direct: the
/// process id the server reports for the session (`pg_backend_pid()`) is
/// the one libpq was given at startup (`PQbackendPID`) only when nothing
/// stands between them. A pooler that hands out transactions (PgBouncer,
/// Odyssey, PgCat) must give each client its own cancel key, since a client
/// is not tied to one server process, so its client never sees the match.
/// A direct connection is then used as `.on` uses it, which is the cheapest
/// way (measured: the per-statement timeout and pipeline cost single-row
/// reads about 20% more CPU). Behind a pooler, `.auto` runs statements outside explicit transactions as
/// named statements whose name is a hash of their text, so a server
/// connection that has the name has the same statement, whoever prepared it;
/// a connection lacking it is given it in the same round trip
/// (`PostgresConnection+NamedStatements.swift`). Inside `begin` ...
/// `commit` statements are unnamed, as they always are with `.off`. With
/// `.on` (a direct connection or session pooling) statements are prepared
/// (`PQprepare`) on first use under their names, again after a reconnect,
/// and the timeout is set once per session.
///
/// When the server goes away the request in flight gets
/// `DatabaseError.Kind.unavailable` (503), the connection is dropped, and a
/// later call reconnects. Reconnect attempts are throttled to one per
/// `retryInterval`, so while the database is down a request costs
/// microseconds instead of a connect attempt each.
public final class PostgresConnection: DatabaseConnection {
    public var dialect: SQLDialect { .postgres }
    /// The libpq URI as configured (may hold a password: never log it).
    private let uri: String
    /// The connect timeout in whole seconds; libpq ignores fractions and treats values below 2 as 2.
    public let connectTimeoutSeconds: Int
    /// Sent as `statement_timeout`, in milliseconds (0 = none).
    public let statementTimeoutMilliseconds: Int
    /// `db_prepared_statements`: how statements are sent (see the type's comment).
    public let statementMode: PostgresStatementMode
    /// How the current connection is used: `statementMode`, except that
    /// `.auto` on a connection found direct is `.on`.
    public private(set) var sessionMode: PostgresStatementMode
    /// Whether `.auto` checks for a direct connection (tests of its pooled
    /// path turn it off to run that path on a direct connection).
    let recognizesDirectConnections: Bool
    /// Shortest time between two connect attempts after a failure.
    public let retryInterval: UInt64
    private let logger: Logger

    private(set) var conn: OpaquePointer?
    /// Statement names believed prepared on the server connection: `.on`
    /// knows; `.auto` guesses (a pooler may have moved us) and corrects on error.
    var prepared: Set<String> = []
    /// `.auto`'s server-side name for each statement text, computed once.
    var serverNames: [String: String] = [:]
    /// Which paths `.auto` took on this connection.
    public internal(set) var counters = PostgresStatementCounters()
    /// Inside `begin` ... `commit`/`rollback`: the transaction's settings are made already.
    private var inTransaction = false
    /// No connect attempt before this monotonic time (nil: try at once).
    private var retryAfter: UInt64?
    private var lastFailure = "not connected yet"
    /// Whether a connection was ever made: the next one is a reconnect.
    private var everConnected = false

    public init(uri: String, connectTimeout: Duration, statementTimeout: Duration, statementMode: PostgresStatementMode = .auto,
                logger: Logger, retryIntervalMilliseconds: UInt64 = 500, recognizesDirectConnections: Bool = true) {
        self.uri = uri
        // libpq's connect_timeout is whole seconds (at least 2); statement_timeout is milliseconds.
        let (connectSeconds, connectFraction) = connectTimeout.components
        self.connectTimeoutSeconds = max(2, Int(connectSeconds) + (connectFraction > 0 ? 1 : 0))
        let (statementSeconds, statementFraction) = statementTimeout.components
        self.statementTimeoutMilliseconds = Int(statementSeconds) * 1000 + Int((statementFraction + 500_000_000_000_000) / 1_000_000_000_000_000)
        self.statementMode = statementMode
        self.sessionMode = statementMode
        self.recognizesDirectConnections = recognizesDirectConnections
        self.retryInterval = retryIntervalMilliseconds * 1_000_000
        self.logger = logger
    }

    /// The session's settings, made once per connection. UTC and ISO make
    /// timestamptz text come back as `2024-01-01 00:01:00.123456+00`.
    /// PgBouncer tracks these two (like `client_encoding`) per client and
    /// sets them on whichever server connection runs the client's next
    /// transaction, so they hold behind transaction pooling too.
    static let sessionSettingsSQL = "SELECT set_config('TimeZone', 'UTC', false), set_config('DateStyle', 'ISO, YMD', false)"

    /// `statement_timeout` and generic plans, which PgBouncer does not
    /// track (a session value would stay on the server connection for the
    /// next client): with `local` they last until the end of the
    /// transaction, implicit or not.
    ///
    /// Generic plans: a prepared statement is planned for its values on
    /// each of its first five runs, and from then on whenever the generic
    /// plan's estimate exceeds the custom plans' average. With `LIMIT $n`
    /// the generic estimate assumes a tenth of the rows, so from a few
    /// thousand users the list's statements were planned anew on every
    /// request (measured at 8,000 users: 100 µs more server CPU per page,
    /// a third of what the request cost PostgreSQL). Every statement here
    /// has the same plan either way (PostgresPlanTests checks both).
    static func timeoutSQL(local: Bool) -> String {
        let l = local ? "true" : "false"
        return "SELECT set_config('statement_timeout', $1, \(l)), \(genericPlansCall(local: local))"
    }

    static func genericPlansCall(local: Bool) -> String {
        "set_config('plan_cache_mode', 'force_generic_plan', \(local ? "true" : "false"))"
    }

    var timeoutParameters: [DatabaseValue] { [.text(String(statementTimeoutMilliseconds))] }

    /// The session's process id as the server sees it (see the type's comment).
    static let backendPIDSQL = "SELECT pg_backend_pid()"

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
        inTransaction = false
        do {
            let checksDirect = statementMode == .auto && recognizesDirectConnections
            var statements = [(sql: Self.sessionSettingsSQL, parameters: [DatabaseValue]())]
            if statementMode == .on { statements.append((Self.timeoutSQL(local: false), timeoutParameters)) }
            if checksDirect { statements.append((Self.backendPIDSQL, [])) }
            let results = try pipelined(c, statements, context: "session settings")
            let reportedPID = checksDirect && PQntuples(results[results.count - 1]) == 1
                ? Int32(String(cString: PQgetvalue(results[results.count - 1], 0, 0))) : nil
            for r in results { PQclear(r) }
            sessionMode = statementMode
            if checksDirect, let reportedPID, reportedPID == PQbackendPID(c) {
                sessionMode = .on
                // As `.auto` elsewhere: 0 leaves the server's own timeout.
                let settings = statementTimeoutMilliseconds > 0
                    ? (Self.timeoutSQL(local: false), timeoutParameters)
                    : ("SELECT " + Self.genericPlansCall(local: false), [])
                for r in try pipelined(c, [settings], context: "session settings") { PQclear(r) }
            }
        } catch {
            drop()
            retryAfter = Clock.monotonicNanoseconds() + retryInterval
            lastFailure = "\(error)"
            throw error
        }
        retryAfter = nil
        if everConnected { DatabaseMetrics.reconnected() }
        everConnected = true
        let how: String
        switch (statementMode, sessionMode) {
        case (.auto, .on): how = "direct connection: statements prepared per session"
        case (.auto, _): how = recognizesDirectConnections ? "through a pooler: statements named by their text" : "statements named by their text"
        case (.on, _): how = "statements prepared per session"
        case (.off, _): how = "statements unnamed"
        }
        logger.info("database connected: \(DatabaseLocation.postgres(uri: uri).redacted) (\(how))")
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
        inTransaction = false
    }

    /// Forgets a broken connection; the next call reconnects.
    func drop() {
        close()
    }

    private static func trimmed(_ s: String) -> String {
        var s = Substring(s)
        while let last = s.last, last == "\n" || last == " " { s = s.dropLast() }
        return String(s.split(separator: "\n").joined(separator: "; "))
    }

    /// Classifies a failed result (or a NULL one) and drops the connection when it broke.
    func failure(_ call: String, _ result: OpaquePointer?, context: String) -> DatabaseError {
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

    /// Runs `statement` as the mode says: prepared under its name (`.on`);
    /// named by its text's hash outside transactions (`.auto`); alone inside
    /// a transaction (whose settings `begin` made); else after the
    /// transaction-local settings in the same round trip.
    private func run(_ statement: SQLStatement, _ parameters: [DatabaseValue], collect: Bool) throws -> (rows: [DatabaseRow], changed: Int) {
        let c = try handle()
        if sessionMode == .auto && !inTransaction {
            return try runNamed(c, statement, parameters, collect: collect)
        }
        if sessionMode == .on {
            if !prepared.contains(statement.name) {
                let r = PQprepare(c, statement.name, statement.sql, 0, nil)
                defer { PQclear(r) }
                guard let r, PQresultStatus(r) == PGRES_COMMAND_OK else { throw failure("PQprepare", r, context: statement.name) }
                prepared.insert(statement.name)
            }
            let result: OpaquePointer? = withCStrings(Self.texts(parameters)) { values in
                PQexecPrepared(c, statement.name, Int32(values.count), values, nil, nil, 0)
            }
            defer { PQclear(result) }
            return try collected(result, call: "PQexecPrepared", context: statement.name, collect: collect)
        }
        return try runUnnamed(c, statement, parameters, collect: collect)
    }

    /// `statement` unnamed: alone inside a transaction or without a timeout,
    /// else after the transaction-local timeout in the same round trip.
    func runUnnamed(_ c: OpaquePointer, _ statement: SQLStatement, _ parameters: [DatabaseValue],
                    collect: Bool) throws -> (rows: [DatabaseRow], changed: Int) {
        if inTransaction || statementTimeoutMilliseconds == 0 {
            return try unpipelined(c, sql: statement.sql, parameters, collect: collect, context: statement.name)
        }
        let results = try pipelined(c, [(Self.timeoutSQL(local: true), timeoutParameters), (statement.sql, parameters)],
                                    context: statement.name)
        defer { for r in results { PQclear(r) } }
        return try collected(results[1], call: "PQexecParams", context: statement.name, collect: collect)
    }

    /// One unnamed statement, one round trip (`PQexecParams`).
    func unpipelined(_ c: OpaquePointer, sql: String, _ parameters: [DatabaseValue], collect: Bool,
                             context: String = "statement") throws -> (rows: [DatabaseRow], changed: Int) {
        let result: OpaquePointer? = withCStrings(Self.texts(parameters)) { values in
            PQexecParams(c, sql, Int32(values.count), nil, values, nil, nil, 0)
        }
        defer { PQclear(result) }
        return try collected(result, call: "PQexecParams", context: context, collect: collect)
    }

    /// Sends unnamed statements back to back and one Sync, and returns each
    /// one's result (all succeeded; the caller clears them). Before the Sync
    /// they form one transaction, so transaction-local settings made by the
    /// first hold for the rest, and PgBouncer hands the whole batch to one
    /// server connection. One round trip however many statements.
    private func pipelined(_ c: OpaquePointer, _ statements: [(sql: String, parameters: [DatabaseValue])],
                           context: String) throws -> [OpaquePointer] {
        switch batch(c, statements.map { .unnamed(sql: $0.sql, parameters: $0.parameters) }) {
        case .succeeded(let results): return results
        case .failed(let failed): throw abandon(c, failed, context: context)
        }
    }

    /// Sends `steps` back to back and one Sync (see `pipelined`), and
    /// returns every step's result, or the first failure with the
    /// connection still in pipeline mode (`abandon` or `leavePipeline` next).
    func batch(_ c: OpaquePointer, _ steps: [PipelineStep]) -> PipelineOutcome {
        guard PQenterPipelineMode(c) == 1 else { return .failed(PipelineFailure(call: "PQenterPipelineMode", result: nil)) }
        var results: [OpaquePointer] = []
        var failed: PipelineFailure?
        for step in steps {
            let sent: Int32
            switch step {
            case .unnamed(let sql, let parameters):
                sent = withCStrings(Self.texts(parameters)) { values in
                    PQsendQueryParams(c, sql, Int32(values.count), nil, values, nil, nil, 0)
                }
            case .prepare(let name, let sql):
                sent = PQsendPrepare(c, name, sql, 0, nil)
            case .execute(let name, let parameters):
                sent = withCStrings(Self.texts(parameters)) { values in
                    PQsendQueryPrepared(c, name, Int32(values.count), values, nil, nil, 0)
                }
            }
            if sent != 1 { failed = PipelineFailure(call: step.sendCall, result: nil); break }
        }
        if failed == nil && PQpipelineSync(c) != 1 { failed = PipelineFailure(call: "PQpipelineSync", result: nil) }
        if failed == nil {
            // Each statement's result, then NULL; a statement after a failed
            // one reports PGRES_PIPELINE_ABORTED; the Sync ends the batch.
            var index = 0, strayNulls = 0
            while index < steps.count {
                guard let r = PQgetResult(c) else {
                    // Nothing queued where a result was due: the batch is lost.
                    strayNulls += 1
                    if PQstatus(c) != CONNECTION_OK || strayNulls > 1 { break }
                    continue
                }
                let status = PQresultStatus(r)
                if status == PGRES_PIPELINE_SYNC { PQclear(r); break }
                if status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK {
                    results.append(r)
                } else if status == PGRES_PIPELINE_ABORTED {
                    PQclear(r)
                } else if failed == nil {
                    failed = PipelineFailure(call: steps[index].call, result: r, completed: results.count)
                } else {
                    PQclear(r)
                }
                // The NULL that ends this statement's results.
                while let extra = PQgetResult(c) { PQclear(extra) }
                index += 1
                if PQstatus(c) != CONNECTION_OK { break }
            }
            if PQstatus(c) == CONNECTION_OK, index == steps.count, let sync = PQgetResult(c) {
                if PQresultStatus(sync) != PGRES_PIPELINE_SYNC, failed == nil {
                    failed = PipelineFailure(call: "PQpipelineSync", result: sync)
                } else {
                    PQclear(sync)
                }
            }
        }
        if failed == nil && results.count != steps.count { failed = PipelineFailure(call: "PQgetResult", result: nil) }
        if failed == nil && PQexitPipelineMode(c) != 1 { failed = PipelineFailure(call: "PQexitPipelineMode", result: nil) }
        guard let failed else { return .succeeded(results) }
        for r in results { PQclear(r) }
        return .failed(failed)
    }

    /// The error for a failed batch (dropping the connection if it broke),
    /// with the connection out of pipeline mode; clears the failed result.
    func abandon(_ c: OpaquePointer, _ failed: PipelineFailure, context: String) -> DatabaseError {
        defer { PQclear(failed.result) }
        let error = failure(failed.call, failed.result, context: context)
        leavePipeline(c)
        return error
    }

    /// A connection left inside pipeline mode (a half-read batch) is of no further use.
    func leavePipeline(_ c: OpaquePointer) {
        if conn != nil && PQpipelineStatus(c) != PQ_PIPELINE_OFF {
            if PQexitPipelineMode(c) != 1 { drop() }
        }
    }

    /// Text-format parameters: NULL is a null pointer, the rest their text.
    static func texts(_ parameters: [DatabaseValue]) -> [String?] {
        parameters.map {
            switch $0 {
            case .null: return nil
            case .int(let v): return String(v)
            case .text(let t): return t
            }
        }
    }

    /// Checks a statement's result and reads its rows (as text) when asked.
    func collected(_ result: OpaquePointer?, call: String, context: String, collect: Bool) throws -> (rows: [DatabaseRow], changed: Int) {
        guard let result else { throw failure(call, nil, context: context) }
        let status = PQresultStatus(result)
        guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK else {
            throw failure(call, result, context: context)
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
        try measured { try run(statement, parameters, collect: true).rows }
    }

    @discardableResult
    public func execute(_ statement: SQLStatement, _ parameters: [DatabaseValue]) throws -> Int {
        try measured { try run(statement, parameters, collect: false).changed }
    }

    public func executeScript(_ sql: String) throws {
        try measured { try script(sql) }
    }

    /// `executeScript` without recording (`begin` and `commit` record once).
    private func script(_ sql: String) throws {
        let c = try handle()
        let r = PQexec(c, sql)
        defer { PQclear(r) }
        guard let r, PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK else {
            throw failure("PQexec", r, context: String(sql.prefix(40)))
        }
    }

    /// `BEGIN`; unless `sessionMode` is `.on`, together with the
    /// transaction-local `statement_timeout` in one round trip.
    public func begin(write: Bool) throws {
        try measured { try start() }
    }

    private func start() throws {
        _ = try handle()   // connected, so `sessionMode` is this connection's
        if sessionMode == .on || statementTimeoutMilliseconds == 0 {
            try script("BEGIN")
        } else {
            let c = try handle()
            let results = try pipelined(c, [("BEGIN", []), (Self.timeoutSQL(local: true), timeoutParameters)], context: "BEGIN")
            for r in results { PQclear(r) }
        }
        inTransaction = true
    }

    public func commit() throws {
        inTransaction = false
        try measured { try script("COMMIT") }
    }

    public func rollback() {
        inTransaction = false
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
func withCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
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
