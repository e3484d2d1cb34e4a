import Foundation
import Glibc
import Posix
import ServerCore

/// Runs the real `paddock` binary for integration tests, the way systemd
/// would: the test binds the listening socket itself and passes it as
/// `LISTEN_FDS` (no port guessing), and owns the `NOTIFY_SOCKET` that says
/// when the server is ready (no sleeps). The master leads its own process
/// group, which `stop()` kills as a last resort.
public final class ServerProcess: @unchecked Sendable {
    public let pid: Int32
    public let port: UInt16
    public let directory: String
    public let errorLogPath: String
    let notify: FileDescriptor
    let notifyPath: String
    public private(set) var exitStatus: ExitStatus?
    var notifications: [String] = []

    /// Built products folder (`.build/debug`), found from this test bundle.
    public static var productsDirectory: String {
        let bundle = Bundle.allBundles.first { $0.bundlePath.hasSuffix(".xctest") }?.bundleURL.deletingLastPathComponent()
        return (bundle ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()).path
    }

    public static var paddockBinary: String { productsDirectory + "/paddock" }

    /// The application built on the public library products alone (`Sources/PaddockExampleTestApp`).
    public static var exampleAppBinary: String { productsDirectory + "/PaddockExampleTestApp" }

    /// A fresh temporary directory.
    public static func makeTemporaryDirectory(_ prefix: String = "paddock-test") throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Starts `paddock` with `arguments` (settings as CLI flags) in a fresh
    /// directory, listening on a loopback socket the test bound.
    /// - Parameter listener: an already-listening socket to pass; nil binds 127.0.0.1:0.
    public init(arguments: [String], environment extra: [String: String] = [:], listener: FileDescriptor? = nil,
                configText: String? = nil, directory: String? = nil, binary: String = ServerProcess.paddockBinary) throws {
        let dir = try directory ?? ServerProcess.makeTemporaryDirectory()
        self.directory = dir
        errorLogPath = dir + "/error.log"
        let sock = try listener ?? Socket.listen(on: .ipv4("127.0.0.1", 0), backlog: 1024)
        guard case .ipv4(_, let p)? = try Socket.localAddress(sock) else { throw SystemError("getsockname", .EINVAL) }
        port = p
        let nPath = dir + "/notify.sock"
        let nfd = FileDescriptor(rawValue: try syscall("socket") {
            Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        })
        try SocketAddress.unix(nPath).withSockAddr { sa, len in
            _ = try syscall("bind", context: nPath) { Glibc.bind(nfd.rawValue, sa, len) }
        }
        notifyPath = nPath
        notify = nfd
        var args = arguments
        if let configText {
            let path = dir + "/server.conf"
            try configText.write(toFile: path, atomically: true, encoding: .utf8)
            args = ["--config", path] + args
        }
        if !args.contains("--error-logfile") { args += ["--error-logfile", errorLogPath] }
        var env = ProcessInfo.processInfo.environment
        for k in WorkerContract.masterOnlyVariables { env[k] = nil }
        env["NOTIFY_SOCKET"] = notifyPath
        env["LISTEN_FDS"] = "1"
        for (k, v) in extra { env[k] = v }
        let quoted = ([binary] + args).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        // LISTEN_PID must be the server's own pid: set it in a shell that then execs in place.
        let script = "cd '\(dir)' && LISTEN_PID=$$ exec \(quoted.joined(separator: " "))"
        pid = try Process.spawn(path: "/bin/sh", arguments: ["sh", "-c", script],
                                environment: env.map { "\($0.key)=\($0.value)" },
                                fds: [(.standardInput, 0), (.standardOutput, 1), (.standardError, 2), (sock, 3)],
                                newProcessGroup: true)
        if listener == nil { try sock.close() }
    }

    deinit {
        stop()
        notify.closeAfterFailure()
        ServerProcess.removeTemporaryDirectory(directory)
    }

    /// Removes a directory made by `makeTemporaryDirectory` (logs, sockets,
    /// databases of one test); anything else is left alone.
    public static func removeTemporaryDirectory(_ path: String) {
        let prefix = FileManager.default.temporaryDirectory.appendingPathComponent("paddock-").path
        guard path.hasPrefix(prefix) else { return }
        do { try FileManager.default.removeItem(atPath: path) } catch {
            // A file still held open by a dying process: the OS cleans /tmp.
        }
    }

    /// Waits for a notification containing `text` (e.g. "READY=1").
    @discardableResult
    public func waitForNotification(_ text: String, timeout: Double = 30, after: Int = 0) throws -> String {
        if let found = notifications.dropFirst(after).first(where: { $0.contains(text) }) { return found }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var fds = [pollfd(fd: notify.rawValue, events: Poll.readable, revents: 0)]
            _ = try Poll.wait(&fds, timeoutMs: 100)
            // Read everything queued before looking at the process: a server
            // may send its last notification and exit in the same instant.
            if let found = try drainNotifications(matching: text) { return found }
            if let st = try reapIfExited() {
                if let found = try drainNotifications(matching: text) { return found }
                throw ServerError(message: "server exited (\(st)) before \(text); log:\n\(errorLog())")
            }
        }
        throw ServerError(message: "timed out waiting for \(text); log:\n\(errorLog())")
    }

    /// Receives every queued notification; returns the first new one containing `text`.
    private func drainNotifications(matching text: String) throws -> String? {
        var found: String?
        while true {
            var buf = [UInt8](repeating: 0, count: 4096)
            let r = try buf.withUnsafeMutableBytes { p in
                try nonBlockingSyscall("recv") { Glibc.recv(notify.rawValue, p.baseAddress, p.count, Int32(MSG_DONTWAIT)) }
            }
            guard case .done(let n) = r else { return found }
            let msg = String(decoding: buf[0..<n], as: UTF8.self)
            notifications.append(msg)
            if found == nil && msg.contains(text) { found = msg }
        }
    }

    /// Every notification received so far (after draining pending ones).
    public func allNotifications() -> [String] { notifications }

    public func waitReady(timeout: Double = 30) throws { try waitForNotification("READY=1", timeout: timeout) }

    public func signal(_ sig: Int32) throws { try Process.kill(pid, sig) }

    /// Non-blocking check for exit.
    public func reapIfExited() throws -> ExitStatus? {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid { exitStatus = ExitStatus(raw: status); return exitStatus }
        return nil
    }

    /// Waits for the master to exit (polling its status, bounded).
    public func waitExit(timeout: Double = 30) throws -> ExitStatus {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let st = try reapIfExited() { return st }
            Clock.sleep(milliseconds: 10)
        }
        throw ServerError(message: "server pid \(pid) did not exit within \(timeout)s")
    }

    /// Stops the server the way an operator would (TERM, bounded wait), then
    /// kills whatever is left.
    public func stopGracefully(timeout: Double = 10) {
        if exitStatus == nil {
            _ = Glibc.kill(pid, SIGTERM)
            _ = try? waitExit(timeout: timeout)
        }
        stop()
    }

    /// Kills the whole process group if the server is still running.
    public func stop() {
        if exitStatus == nil {
            _ = Glibc.killpg(pid, SIGKILL)
            var status: Int32 = 0
            if waitpid(pid, &status, 0) == pid { exitStatus = ExitStatus(raw: status) }
        }
        // Workers lead their own groups; they exit on the control socket's EOF.
    }

    public func errorLog() -> String { (try? String(contentsOfFile: errorLogPath, encoding: .utf8)) ?? "" }

    /// Lines at warning level or above that are not in `allowed` (substrings).
    public func unexpectedErrorLines(allowing allowed: [String] = []) -> [String] {
        errorLog().split(separator: "\n").map(String.init).filter { line in
            let bad = line.contains(" warning ") || line.contains(" error ") || line.contains(" critical ")
            return bad && !allowed.contains { line.contains($0) }
        }
    }

    /// Worker pids by slot, from the "booting worker slot=N pid=P" log lines (latest wins).
    public func workerPids() -> [Int: Int32] {
        var out: [Int: Int32] = [:]
        for line in errorLog().split(separator: "\n") where line.contains("worker ready slot=") {
            let fields = line.split(separator: " ")
            guard let s = fields.first(where: { $0.hasPrefix("slot=") && $0 != "slot=-" }).flatMap({ Int($0.dropFirst(5)) }),
                  let p = fields.last(where: { $0.hasPrefix("pid=") }).flatMap({ Int32($0.dropFirst(4)) }) else { continue }
            out[s] = p
        }
        return out
    }
}

public struct ServerError: Error, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

extension ServerProcess {
    /// Runs `paddock` with `arguments` to completion (for CLI and config
    /// errors), returning its exit status, standard output and standard error.
    public static func run(_ arguments: [String], binary: String = ServerProcess.paddockBinary,
                           directory: String? = nil, environment extra: [String: String] = [:],
                           timeout: Double = 30) throws -> (status: ExitStatus, stdout: String, stderr: String) {
        let dir = try directory ?? makeTemporaryDirectory()
        defer { if directory == nil { removeTemporaryDirectory(dir) } }
        let out = try Files.open(dir + "/stdout.txt", flags: O_WRONLY | O_CREAT | O_TRUNC)
        let err = try Files.open(dir + "/stderr.txt", flags: O_WRONLY | O_CREAT | O_TRUNC)
        var env = ProcessInfo.processInfo.environment
        for k in WorkerContract.masterOnlyVariables { env[k] = nil }
        for (k, v) in extra { env[k] = v }
        let quoted = ([binary] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let pid = try Process.spawn(path: "/bin/sh", arguments: ["sh", "-c", "cd '\(dir)' && exec \(quoted.joined(separator: " "))"],
                                    environment: env.map { "\($0.key)=\($0.value)" },
                                    fds: [(.standardInput, 0), (out, 1), (err, 2)], newProcessGroup: true)
        try out.close()
        try err.close()
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline {
                _ = Glibc.killpg(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw ServerError(message: "\(arguments) did not finish within \(timeout)s")
            }
            Clock.sleep(milliseconds: 10)
        }
        return (ExitStatus(raw: status),
                (try? String(contentsOfFile: dir + "/stdout.txt", encoding: .utf8)) ?? "",
                (try? String(contentsOfFile: dir + "/stderr.txt", encoding: .utf8)) ?? "")
    }

    /// Polls the error log until `predicate` holds (the log is the server's
    /// own report of state changes such as a respawned worker), bounded.
    public func waitForLog(timeout: Double = 10, _ predicate: (String) -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if predicate(errorLog()) { return }
            if let st = try reapIfExited() { throw ServerError(message: "server exited (\(st)); log:\n\(errorLog())") }
            Clock.sleep(milliseconds: 5)
        }
        throw ServerError(message: "log condition not met within \(timeout)s; log:\n\(errorLog())")
    }
}
