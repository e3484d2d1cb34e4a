import Posix
import Synchronization

/// The access log: one line per request, in a compiled format or as JSON.
///
/// Each line is built whole and written with one `write(2)` on an `O_APPEND`
/// descriptor. For a regular file, Linux appends each write atomically at the
/// end under the inode lock, so lines from every worker interleave but never
/// split; for a pipe (`-` under a supervisor) that holds for lines up to
/// PIPE_BUF (4096 bytes). `writeAll` only issues a second write after a short
/// write, which on a regular file means the disk is full.
///
/// Thread-safe: the descriptor is swapped and written under a lock, so
/// `reopen()` from another thread never lets a write reach a closed or reused fd.
public final class AccessLog: @unchecked Sendable {
    private struct State {
        var fd: FileDescriptor
        var ids: RequestIDGenerator
        var failedWrites = 0
    }

    /// nil for standard output, which is never reopened or closed.
    public let path: String?
    public let style: AccessLogStyle
    public let proxyTrust: ProxyTrust
    /// Paths never logged (`access_log_exclude`): health checks and scrapes.
    public let excludedPaths: Set<String>
    private let pid: Int32
    private let state: Mutex<State>

    /// Opens the log `path` (`-` is standard output; `/dev/stdout` and
    /// `/dev/stderr` are the streams themselves) for appending. A file is
    /// created 0640 and never through a symbolic link (`Files.openAppend`).
    public init(path: String, style: AccessLogStyle, proxyTrust: ProxyTrust, excludedPaths: Set<String> = []) throws {
        self.style = style
        self.proxyTrust = proxyTrust
        self.excludedPaths = excludedPaths
        pid = Process.id
        let stream: FileDescriptor? = path == "-" ? .standardOutput : LogDestination.standardStream(path)
        self.path = stream == nil ? path : nil
        let fd = try stream ?? Files.openAppend(path)
        do {
            state = Mutex(State(fd: fd, ids: try RequestIDGenerator()))
        } catch {
            if stream == nil { fd.closeAfterFailure() }
            throw error
        }
    }

    /// From `accesslog`, `access_log_format`, `access_log_json`,
    /// `access_log_exclude` and `forwarded_allow_ips`. `accesslog` must not be empty: use `make` when
    /// the log may be off.
    public convenience init(configuration: Configuration) throws {
        let path = configuration[Settings.accesslog]
        guard !path.isEmpty else { throw ConfigError("accesslog is empty, which turns the access log off") }
        try self.init(path: path, style: AccessLogStyle(configuration: configuration),
                      proxyTrust: ProxyTrust(configuration: configuration),
                      excludedPaths: Set(configuration[Settings.accessLogExclude]))
    }

    /// The access log, or nil when `accesslog` is empty. Throws `ConfigError`
    /// for a format that does not compile, `SystemError` when the file cannot be opened.
    public static func make(configuration: Configuration) throws -> AccessLog? {
        configuration[Settings.accesslog].isEmpty ? nil : try AccessLog(configuration: configuration)
    }

    /// Compiles the format without opening anything, for `--check-config` and
    /// for validating a reloaded configuration before it replaces the old one.
    public static func check(configuration: Configuration) throws(ConfigError) {
        _ = try AccessLogStyle(configuration: configuration)
        _ = try ProxyTrust(configuration: configuration)
    }

    /// The request's own `X-Request-ID` when it is sane (1 to 200 visible
    /// ASCII characters), else a fresh 32-hex-digit id. The worker echoes it
    /// in the response and passes it to `log`.
    public func requestID(for request: HTTPRequest) -> String {
        if let id = AccessLog.incomingRequestID(request) { return id }
        return state.withLock { $0.ids.makeID() }
    }

    /// The request's own `X-Request-ID` when it is sane (1 to 200 visible
    /// ASCII characters). Echoed even with the access log off, so a proxy's
    /// id still follows the request; only a logged request gets a new one.
    public static func incomingRequestID(_ request: HTTPRequest) -> String? {
        guard let id = request.headers["X-Request-ID"], RequestIDGenerator.isAcceptable(id) else { return nil }
        return id
    }

    /// Writes the line for one finished request. `bytesSent` counts response
    /// body bytes; `durationNanoseconds` runs from the first byte of the
    /// request to the last byte of the response. A failed write drops the
    /// line (counted in `failedWrites`) rather than failing the request.
    /// A request for an excluded path writes nothing.
    public func log(request: HTTPRequest, response: HTTPResponse, requestID: String, durationNanoseconds: UInt64, bytesSent: Int) {
        if !excludedPaths.isEmpty && excludedPaths.contains(request.path) { return }
        let now = Clock.realtime()
        let entry = AccessLogEntry(request: request, response: response, clientAddress: proxyTrust.clientAddress(for: request),
                                   requestID: requestID, durationNanoseconds: durationNanoseconds, bytesSent: bytesSent,
                                   pid: pid, epochSeconds: now.seconds, nanoseconds: now.nanoseconds)
        var line: [UInt8]
        switch style {
        case .format(let format):
            line = []
            line.reserveCapacity(256)
            format.render(entry, into: &line)
        case .json:
            line = entry.json()
        }
        line.append(UInt8(ascii: "\n"))
        state.withLock { state in
            do { try state.fd.writeAll(line) } catch { state.failedWrites += 1 }
        }
    }

    /// Lines dropped because `write(2)` failed (disk full, a closed pipe).
    public var failedWrites: Int { state.withLock { $0.failedWrites } }

    /// Opens the path again (after rotation or `USR1`) and closes the old
    /// descriptor; standard output is left alone. If closing the old file
    /// fails the error is thrown, but the new file is already in use.
    public func reopen() throws {
        guard let path else { return }
        let new = try Files.openAppend(path)
        let old = state.withLock { state in
            let old = state.fd
            state.fd = new
            return old
        }
        // Writes happen under the lock, so none is using `old` any more.
        try old.close()
    }

    deinit {
        if path != nil { state.withLock { $0.fd }.closeAfterFailure() }
    }
}
