import Posix

/// Severity levels, in increasing order (the names `loglevel` accepts).
public enum LogLevel: Int, Comparable, Sendable, CustomStringConvertible {
    case debug = 10, info = 20, warning = 30, error = 40, critical = 50

    public init?(name: String) {
        switch name.lowercased() {
        case "debug": self = .debug
        case "info": self = .info
        case "warning", "warn": self = .warning
        case "error": self = .error
        case "critical": self = .critical
        default: return nil
        }
    }

    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }

    /// The syslog priority journald reads from a `<N>` line prefix (sd-daemon(3)).
    public var syslogPriority: Int {
        switch self {
        case .debug: return 7
        case .info: return 6
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    public var description: String {
        switch self {
        case .debug: return "debug"
        case .info: return "info"
        case .warning: return "warning"
        case .error: return "error"
        case .critical: return "critical"
        }
    }
}

/// The error log. Every line is built whole and written with a single
/// `write(2)` on an `O_APPEND` descriptor, so lines from the master and all
/// workers interleave but never split.
///
/// Text format: `2026-01-02T03:04:05.678Z info pid=123 slot=0 message`
/// (`slot=-` for the master). JSON format: one object per line,
/// `{"time":"2026-01-02T03:04:05.678Z","level":"info","pid":123,"slot":0,"message":"..."}`
/// (`"slot":null` for the master).
///
/// When standard error is the journal (`JournalStream`), each line starts
/// with its syslog priority, `<6>info pid=123 slot=0 message`, and text lines
/// carry no time of their own: journald stamps every line, and reads the
/// prefix as the priority, so `journalctl -p err` selects by level.
public final class Logger: @unchecked Sendable {
    public var level: LogLevel
    /// Text or JSON lines (`log_format`).
    public let format: LogFormat
    /// Who writes: the slot number in workers, nil in the master.
    public let slot: Int?
    /// Lines go to journald: `<N>` priority prefix, no timestamp in text lines.
    public let journal: Bool
    private var fd: FileDescriptor
    private var path: String?
    private let pid: Int32

    /// Logs to `path`, or to standard error when `path` is "-" or empty
    /// (`/dev/stdout` and `/dev/stderr` are the streams themselves). A file
    /// is created 0640 and never through a symbolic link (`Files.openAppend`).
    /// `journal` applies only to standard error (see `JournalStream`).
    public init(path: String, level: LogLevel, slot: Int?, format: LogFormat = .text, journal: Bool = false) throws {
        self.level = level
        self.format = format
        self.slot = slot
        self.pid = Process.id
        if path.isEmpty || path == "-" {
            self.path = nil
            fd = .standardError
        } else if let stream = LogDestination.standardStream(path) {
            self.path = nil
            fd = stream
        } else {
            self.path = path
            fd = try Files.openAppend(path)
        }
        self.journal = journal && fd == .standardError
    }

    /// The error log the settings describe (`errorlog`, `loglevel`, `log_format`),
    /// in journal form when standard error is the journal.
    public convenience init(configuration config: Configuration, slot: Int?) throws {
        try self.init(path: config[Settings.errorlog], level: config[Settings.loglevel], slot: slot,
                      format: config[Settings.logFormat],
                      journal: JournalStream.isStandardError(journalStream: Environment.current()[JournalStream.variable]))
    }

    /// A logger on standard error at `info`, for use before settings are read.
    public static func standardError(slot: Int? = nil) -> Logger {
        // Opening standard error performs no system call, so this cannot fail.
        do { return try Logger(path: "-", level: .info, slot: slot) } catch { fatalError("\(error)") }
    }

    /// Reopens the file (after rotation, USR1). Standard error is left as it
    /// is. On failure (a symbolic link planted at the path, say) the lines
    /// keep going to the file already open.
    public func reopen() throws {
        guard let path else { return }
        let new = try Files.openAppend(path)
        let old = fd
        fd = new
        if let e = old.closeAfterFailure() { log(.warning, "closing the previous log file: \(e)") }
    }

    public func isEnabled(_ l: LogLevel) -> Bool { l >= level }

    /// The descriptor lines currently go to (changes on `reopen`).
    public var fileDescriptor: FileDescriptor { fd }

    public func debug(_ message: @autoclosure () -> String) { if isEnabled(.debug) { write(.debug, message()) } }
    public func info(_ message: @autoclosure () -> String) { if isEnabled(.info) { write(.info, message()) } }
    public func warning(_ message: @autoclosure () -> String) { if isEnabled(.warning) { write(.warning, message()) } }
    public func error(_ message: @autoclosure () -> String) { if isEnabled(.error) { write(.error, message()) } }
    public func critical(_ message: @autoclosure () -> String) { if isEnabled(.critical) { write(.critical, message()) } }

    public func log(_ l: LogLevel, _ message: @autoclosure () -> String) { if isEnabled(l) { write(l, message()) } }

    private func write(_ l: LogLevel, _ message: String) {
        let line = self.line(l, message)
        do { try fd.writeAll(line) } catch {
            // Nowhere left to report a failing log write; dropping the line is
            // better than stopping the server.
        }
    }

    /// One whole record, newline included.
    func line(_ l: LogLevel, _ message: String) -> [UInt8] {
        guard journal else { return format == .json ? jsonLine(l, message) : textLine(l, message) }
        let body = format == .json ? jsonLine(l, message) : textLine(l, message, timestamp: false)
        return Array("<\(l.syslogPriority)>".utf8) + body
    }

    private func jsonLine(_ l: LogLevel, _ message: String) -> [UInt8] {
        var json = JSONWriter(capacity: 96 + message.utf8.count)
        json.beginObject()
        json.field("time", Timestamp.iso8601UTC())
        json.field("level", l.description)
        json.field("pid", Int(pid))
        json.key("slot")
        if let slot { json.value(slot) } else { json.null() }
        // JSONWriter escapes control characters, so a message cannot forge a line here either.
        json.field("message", message)
        json.endObject()
        var bytes = json.bytes
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    private func textLine(_ l: LogLevel, _ message: String, timestamp: Bool = true) -> [UInt8] {
        var line = timestamp ? Timestamp.iso8601UTC() + " " : ""
        line += "\(l) pid=\(pid) slot=\(slot.map(String.init) ?? "-") "
        // One line per record: embedded newlines would let a message forge lines.
        for c in message.unicodeScalars {
            if c == "\n" { line += "\\n" } else if c == "\r" { line += "\\r" } else { line.unicodeScalars.append(c) }
        }
        line += "\n"
        return Array(line.utf8)
    }
}

/// Time formatting without Foundation.
public enum Timestamp {
    /// `2026-01-02T03:04:05.678Z`.
    public static func iso8601UTC() -> String {
        let (sec, nsec) = Clock.realtime()
        let c = civil(fromEpochSeconds: sec)
        return "\(pad4(c.year))-\(pad2(c.month))-\(pad2(c.day))T\(pad2(c.hour)):\(pad2(c.minute)):\(pad2(c.second)).\(pad3(Int(nsec / 1_000_000)))Z"
    }

    /// Civil date from seconds since the epoch (UTC). Howard Hinnant's days-from-civil inverse.
    public static func civil(fromEpochSeconds t: Int64) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, weekday: Int) {
        let days = Int(t >= 0 ? t / 86400 : (t - 86399) / 86400)
        let secs = Int(t - Int64(days) * 86400)
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let weekday = ((days % 7) + 11) % 7 // 0 = Sunday; 1970-01-01 was a Thursday
        return (m <= 2 ? y + 1 : y, m, d, secs / 3600, (secs % 3600) / 60, secs % 60, weekday)
    }

    @inline(__always) static func pad2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
    @inline(__always) static func pad3(_ v: Int) -> String { v < 10 ? "00\(v)" : v < 100 ? "0\(v)" : "\(v)" }
    @inline(__always) static func pad4(_ v: Int) -> String { v < 10 ? "000\(v)" : v < 100 ? "00\(v)" : v < 1000 ? "0\(v)" : "\(v)" }
}
