import Foundation
import Glibc
import Posix

// Helpers for operations tests (reloads, scaling, recycling, log rotation):
// notifications counted from a mark, the error log across rotations, and
// process liveness.

extension ServerProcess {
    /// How many notifications were received so far (after reading pending
    /// ones): a mark for `waitForNotification(_:after:)`.
    public func notificationMark() throws -> Int {
        try receivePendingNotifications(waitMs: 0)
        return notifications.count
    }

    /// Waits for a notification containing `text` received at or after
    /// `mark` (so a second `READY=1` is not satisfied by the first one).
    @discardableResult
    public func waitForNotification(_ text: String, after mark: Int, timeout: Double = 30) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let found = notifications.dropFirst(mark).first(where: { $0.contains(text) }) { return found }
            if Date() >= deadline { break }
            try receivePendingNotifications(waitMs: 50)
            if let st = try reapIfExited() {
                throw ServerError(message: "server exited (\(st)) before \(text); log:\n\(errorLog())")
            }
        }
        throw ServerError(message: "timed out waiting for \(text) after notification #\(mark) (got \(notifications.dropFirst(mark))); log:\n\(errorLog())")
    }

    /// Reads every queued datagram; waits up to `waitMs` for the first one.
    func receivePendingNotifications(waitMs: Int32) throws {
        var wait = waitMs
        while true {
            var fds = [pollfd(fd: notify.rawValue, events: Poll.readable, revents: 0)]
            _ = try Poll.wait(&fds, timeoutMs: wait)
            guard fds[0].revents != 0 else { return }
            var buf = [UInt8](repeating: 0, count: 4096)
            let n = try buf.withUnsafeMutableBytes { p in
                try syscall("recv") { Glibc.recv(notify.rawValue, p.baseAddress, p.count, 0) }
            }
            notifications.append(String(decoding: buf[0..<n], as: UTF8.self))
            wait = 0
        }
    }

    /// The error log including rotated backups (`error.log.N` oldest first),
    /// for tests that rotate it with `log_max_bytes`.
    public func errorLogAcrossRotations() -> String {
        ServerProcess.readRotatedChain(errorLogPath)
    }

    /// `path.N` ... `path.1`, then `path`, concatenated (oldest first).
    public static func readRotatedChain(_ path: String) -> String {
        var parts: [String] = []
        var n = 1
        while FileManager.default.fileExists(atPath: "\(path).\(n)") { n += 1 }
        for i in stride(from: n - 1, through: 1, by: -1) {
            parts.append((try? String(contentsOfFile: "\(path).\(i)", encoding: .utf8)) ?? "")
        }
        parts.append((try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
        return parts.joined()
    }

    /// Error log lines after the first `skip` characters, for "what happened
    /// since" checks.
    public func errorLogLines(since offset: Int = 0) -> [String] {
        let log = Array(errorLog().utf8)
        guard offset < log.count else { return [] }
        return String(decoding: log[offset...], as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// The current size of the error log in bytes: a mark for `errorLogLines(since:)`.
    public func errorLogMark() -> Int { errorLog().utf8.count }

    /// Polls the log lines written after `mark` until one contains `text`; returns it.
    @discardableResult
    public func waitForLogLine(containing text: String, since mark: Int = 0, timeout: Double = 10) throws -> String {
        var found: String?
        try waitForLog(timeout: timeout) { _ in
            found = self.errorLogLines(since: mark).first { $0.contains(text) }
            return found != nil
        }
        return found!
    }

    /// Lines of the access log at `directory/access.log` (the instance was
    /// started with `--access-logfile` there) that contain `text`.
    public func accessLogCount(containing text: String) -> Int {
        let log = (try? String(contentsOfFile: directory + "/access.log", encoding: .utf8)) ?? ""
        return log.split(separator: "\n").filter { $0.contains(text) }.count
    }

    /// Polls (bounded) until at least `count` access-log lines contain `text`.
    public func waitForAccessLog(containing text: String, atLeast count: Int, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if accessLogCount(containing: text) >= count { return true }
            Clock.sleep(milliseconds: 20)
        }
        return accessLogCount(containing: text) >= count
    }
}

/// Whether a process has exited: gone (`ESRCH`), or a zombie waiting for a
/// parent (an orphan's reaper may be a container init that never reaps).
public func processHasExited(_ pid: Int32) -> Bool {
    if Glibc.kill(pid, 0) == -1 && errno == ESRCH { return true }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return true }
    let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
    return state == "Z" || state == "X"
}

/// Polls until `pid` has exited; false if it is still running after `timeout`.
public func waitForProcessExit(_ pid: Int32, timeout: Double) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if processHasExited(pid) { return true }
        Clock.sleep(milliseconds: 5)
    }
    return processHasExited(pid)
}

/// Background keep-alive load: `threads` clients each looping `GET` on their
/// own connection. A response with `Connection: close` is followed by a new
/// connection (the server may close between requests after saying so); any
/// other outcome (non-200, reset or EOF while waiting for a response, a
/// refused connection) counts as a failure.
public final class LoadGenerator: @unchecked Sendable {
    public struct Result: Sendable {
        public var succeeded: Int
        public var failures: [String]
        public var reconnects: Int
    }

    let port: UInt16
    let threads: Int
    let requestsPerThread: Int
    let maxDuration: Double
    let pauseMs: Int
    let target: @Sendable (_ thread: Int, _ index: Int) -> String
    private let lock = NSLock()
    private var succeeded = 0
    private var failures: [String] = []
    private var reconnects = 0
    private var stopping = false
    private let finished = DispatchGroup()

    /// - Parameters:
    ///   - requestsPerThread: each client stops after this many requests.
    ///   - maxDuration: and in any case after this many seconds.
    ///   - pauseMs: a pause after each request, to spread a fixed count over time.
    ///   - target: the request target for a client's n-th request.
    public init(port: UInt16, threads: Int, requestsPerThread: Int = .max, maxDuration: Double = 30, pauseMs: Int = 0,
                target: @escaping @Sendable (Int, Int) -> String = { t, i in "/echo?t=\(t)&i=\(i)" }) {
        self.port = port
        self.threads = threads
        self.requestsPerThread = requestsPerThread
        self.maxDuration = maxDuration
        self.pauseMs = pauseMs
        self.target = target
    }

    public func start() {
        for t in 0..<threads {
            finished.enter()
            let thread = Thread { [self] in
                run(thread: t)
                finished.leave()
            }
            thread.start()
        }
    }

    public var succeededSoFar: Int { lock.withLock { succeeded } }

    /// Polls until at least `count` requests succeeded (bounded).
    public func waitForProgress(_ count: Int, timeout: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if succeededSoFar >= count { return true }
            Clock.sleep(milliseconds: 5)
        }
        return false
    }

    /// Stops the clients (after their current request) and waits for them.
    public func stop(timeout: Double = 30) -> Result {
        lock.withLock { stopping = true }
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            lock.withLock { failures.append("clients did not finish within \(timeout)s") }
        }
        return lock.withLock { Result(succeeded: succeeded, failures: failures, reconnects: reconnects) }
    }

    /// Waits for the clients to finish their bounded run.
    public func waitFinished(timeout: Double = 60) -> Result {
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            return stop()
        }
        return lock.withLock { Result(succeeded: succeeded, failures: failures, reconnects: reconnects) }
    }

    private func run(thread t: Int) {
        let deadline = Date().addingTimeInterval(maxDuration)
        var client: HTTPTestClient?
        var i = 0
        while i < requestsPerThread && Date() < deadline && !lock.withLock({ stopping }) {
            let path = target(t, i)
            i += 1
            do {
                if client == nil { client = try HTTPTestClient(port: port, timeout: 10) }
                let r = try client!.request("GET", path)
                if r.status != 200 {
                    record(failure: "\(path): status \(r.status) \(r.bodyText)")
                } else {
                    lock.withLock { succeeded += 1 }
                }
                if r.header("Connection")?.lowercased() == "close" {
                    client = nil
                    lock.withLock { reconnects += 1 }
                }
            } catch {
                record(failure: "\(path): \(error)")
                client = nil
            }
            if pauseMs > 0 { Clock.sleep(milliseconds: pauseMs) }
        }
    }

    private func record(failure: String) {
        lock.withLock { failures.append("\(Date().timeIntervalSince1970) \(failure)") }
    }
}
