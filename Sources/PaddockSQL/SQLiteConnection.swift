import CSQLite
import Posix
import ServerCore

/// A SQLite connection (libsqlite3), one per process.
///
/// Several worker processes may share one file: WAL lets readers run beside
/// the writer, `busy_timeout` makes a writer wait for the lock instead of
/// failing, and write transactions start with `BEGIN IMMEDIATE` so they take
/// the lock before reading (no deadlock on upgrade, no SQLITE_BUSY mid-way).
public final class SQLiteConnection: DatabaseConnection {
    public let path: String
    public var dialect: SQLDialect { .sqlite }
    /// How long a statement waits for another process's write lock.
    public let busyTimeoutMilliseconds: Int32

    private var db: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]
    /// Whether the file was ever opened: opening it again (after `close`) is a reconnect.
    private var everConnected = false

    /// `path` is a file name or `:memory:`. Nothing is opened until `connect()` or the first statement.
    public init(path: String, busyTimeoutMilliseconds: Int32 = 5000) {
        self.path = path
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
    }

    deinit { close() }

    public func connect() throws {
        guard db == nil else { return }
        try createPrivately()
        var handle: OpaquePointer?
        // NOMUTEX: the connection is used by one thread only, so SQLite's
        // per-call mutex is pure overhead.
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_close_v2(handle)
            throw DatabaseError(.unavailable, call: "sqlite3_open_v2", message: "\(path): \(message)")
        }
        db = handle
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
        do {
            try enableWAL(handle)
            try script("""
                PRAGMA synchronous=NORMAL;
                PRAGMA foreign_keys=ON;
                """)
        } catch {
            close()
            throw error
        }
        if everConnected { DatabaseMetrics.reconnected() }
        everConnected = true
    }

    /// Creates a missing database file 0600 before SQLite does (it would
    /// use 0644 less the umask): it holds password hashes, and SQLite gives
    /// the `-wal` and `-shm` files the database file's mode. An existing file
    /// keeps its mode. An empty file is a valid empty database.
    private func createPrivately() throws {
        guard !path.isEmpty, path != ":memory:", !path.hasPrefix("file:") else { return }
        do {
            try Files.createIfMissing(path, mode: 0o600)
        } catch {
            throw DatabaseError(.unavailable, call: "open", message: "\(path): \(error)")
        }
    }

    /// Turns the file to WAL (a property of the file, kept once set). On a
    /// new file that needs a moment of exclusive access, and SQLite answers
    /// SQLITE_BUSY for it at once, without the busy handler, while other
    /// workers are opening the same new file: retry until `busy_timeout`.
    private func enableWAL(_ handle: OpaquePointer) throws {
        var waited: Int32 = 0
        while true {
            let rc = sqlite3_exec(handle, "PRAGMA journal_mode=WAL", nil, nil, nil)
            if rc == SQLITE_OK { return }
            guard rc & 0xff == SQLITE_BUSY, waited < busyTimeoutMilliseconds else {
                throw error("sqlite3_exec", rc, handle, context: "PRAGMA journal_mode=WAL")
            }
            waited += max(1, sqlite3_sleep(5))
        }
    }

    public func close() {
        for (_, s) in statements { sqlite3_finalize(s) }
        statements.removeAll()
        if let db { sqlite3_close_v2(db) }
        db = nil
    }

    private func handle() throws -> OpaquePointer {
        if db == nil { try connect() }
        guard let db else { throw DatabaseError(.unavailable, call: "sqlite3_open_v2", message: "\(path): not open") }
        return db
    }

    private func error(_ call: String, _ rc: Int32, _ db: OpaquePointer, context: String) -> DatabaseError {
        let message = "\(context): \(String(cString: sqlite3_errmsg(db)))"
        switch rc {
        case 2067 /* SQLITE_CONSTRAINT_UNIQUE */, 1555 /* SQLITE_CONSTRAINT_PRIMARYKEY */:
            return DatabaseError(.uniqueViolation, call: call, message: message)
        case 787 /* SQLITE_CONSTRAINT_FOREIGNKEY */:
            return DatabaseError(.foreignKeyViolation, call: call, message: message)
        default:
            if rc & 0xff == SQLITE_BUSY || rc & 0xff == SQLITE_LOCKED {
                // Still locked after busy_timeout: the database is overloaded, not broken.
                return DatabaseError(.unavailable, call: call, message: message)
            }
            return DatabaseError(.other, call: call, message: message)
        }
    }

    private func prepared(_ statement: SQLStatement, _ db: OpaquePointer) throws -> OpaquePointer {
        if let s = statements[statement.name] { return s }
        var s: OpaquePointer?
        let rc = sqlite3_prepare_v3(db, statement.sqliteText, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &s, nil)
        guard rc == SQLITE_OK, let s else { throw error("sqlite3_prepare_v3", rc, db, context: statement.name) }
        statements[statement.name] = s
        return s
    }

    /// SQLite copies bound text at once (SQLITE_TRANSIENT), so Swift's
    /// temporary C string may go away after the call.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private func run(_ statement: SQLStatement, _ parameters: [DatabaseValue], collect: Bool) throws -> [DatabaseRow] {
        let db = try handle()
        let s = try prepared(statement, db)
        defer {
            sqlite3_reset(s)
            sqlite3_clear_bindings(s)
        }
        for (i, p) in parameters.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch p {
            case .null: rc = sqlite3_bind_null(s, index)
            case .int(let v): rc = sqlite3_bind_int64(s, index, Int64(v))
            case .text(let t): rc = sqlite3_bind_text(s, index, t, -1, Self.transient)
            }
            guard rc == SQLITE_OK else { throw error("sqlite3_bind", rc, db, context: statement.name) }
        }
        var rows: [DatabaseRow] = []
        while true {
            let rc = sqlite3_step(s)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw error("sqlite3_step", rc, db, context: statement.name) }
            guard collect else { continue }
            let n = sqlite3_column_count(s)
            var values: [DatabaseValue] = []
            values.reserveCapacity(Int(n))
            for c in 0..<n {
                switch sqlite3_column_type(s, c) {
                case SQLITE_NULL: values.append(.null)
                case SQLITE_INTEGER: values.append(.int(Int(sqlite3_column_int64(s, c))))
                default:
                    if let text = sqlite3_column_text(s, c) {
                        values.append(.text(String(cString: text)))
                    } else {
                        values.append(.null)
                    }
                }
            }
            rows.append(DatabaseRow(values))
        }
        return rows
    }

    public func query(_ statement: SQLStatement, _ parameters: [DatabaseValue]) throws -> [DatabaseRow] {
        try measured { try run(statement, parameters, collect: true) }
    }

    @discardableResult
    public func execute(_ statement: SQLStatement, _ parameters: [DatabaseValue]) throws -> Int {
        try measured {
            _ = try run(statement, parameters, collect: false)
            return Int(sqlite3_changes(try handle()))
        }
    }

    public func executeScript(_ sql: String) throws {
        try measured { try script(sql) }
    }

    /// `executeScript` without recording (the connection's own pragmas).
    private func script(_ sql: String) throws {
        let db = try handle()
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_free(message)
            var e = error("sqlite3_exec", rc, db, context: "")
            e = DatabaseError(e.kind, call: "sqlite3_exec", message: text)
            throw e
        }
    }

    public func begin(write: Bool) throws { try executeScript(write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED") }
    public func commit() throws { try executeScript("COMMIT") }

    public func rollback() {
        // Only fails when no transaction is open (SQLite already rolled back
        // after an I/O error): nothing left to undo.
        guard let db else { return }
        sqlite3_exec(db, "ROLLBACK", nil, nil, nil)
    }

    public func ping() -> Bool {
        do {
            return try query(SQLStatement("ping", "SELECT 1"), []).first?.int(0) == 1
        } catch {
            return false
        }
    }
}
