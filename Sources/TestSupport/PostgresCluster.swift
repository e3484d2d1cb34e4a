import Foundation
import Posix

/// Why a PostgreSQL helper command failed: the command line and its output.
public struct PostgresClusterError: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

/// A throwaway PostgreSQL cluster for tests: `initdb` into a fresh temporary
/// directory, listening on 127.0.0.1 at a free port with its Unix socket
/// inside that directory, fsync off. `destroy()` stops it and removes
/// everything.
///
/// PostgreSQL refuses to run as root, so when the tests run as root the
/// directory is given to the `postgres` user and every command runs through
/// `runuser -u postgres --`.
public final class PostgresCluster: @unchecked Sendable {
    /// The cluster's temporary directory (data directory, socket, logs).
    public let directory: String
    public let port: Int
    /// The directory holding `initdb`, `pg_ctl`, ...
    public let binDirectory: String
    private let runAsPostgres: Bool
    private var dataDirectory: String { directory + "/data" }
    private var logFile: String { directory + "/server.log" }

    /// `postgresql://postgres@127.0.0.1:PORT/postgres`.
    public var url: String { url(database: "postgres") }

    /// The URL of one database in the cluster.
    public func url(database: String) -> String { "postgresql://postgres@127.0.0.1:\(port)/\(database)" }

    /// The PostgreSQL binaries' directory, or nil when PostgreSQL is not installed.
    public static func findBinDirectory() -> String? {
        var candidates: [String] = []
        do {
            candidates.append(try runCapturing("/usr/bin/env", ["pg_config", "--bindir"]).trimmingCharacters(in: .whitespacesAndNewlines))
        } catch {
            // No pg_config on PATH: try the Debian layout below.
        }
        let base = "/usr/lib/postgresql"
        var versions: [String] = []
        do { versions = try FileManager.default.contentsOfDirectory(atPath: base) } catch { versions = [] }
        for v in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) { candidates.append("\(base)/\(v)/bin") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") }
    }

    /// Creates the cluster (`initdb`); `start()` runs it.
    public init() throws {
        guard let bin = Self.findBinDirectory() else { throw PostgresClusterError(description: "PostgreSQL binaries not found (pg_config --bindir, /usr/lib/postgresql/*/bin)") }
        binDirectory = bin
        runAsPostgres = Posix.Process.userID == 0
        directory = NSTemporaryDirectory() + "paddock-pg-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        port = try Self.freePort()
        if runAsPostgres {
            try FileManager.default.setAttributes([.ownerAccountName: "postgres", .groupOwnerAccountName: "postgres"],
                                                  ofItemAtPath: directory)
        }
        try pg("initdb", ["-D", dataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"])
        let conf = """

            listen_addresses = '127.0.0.1'
            port = \(port)
            unix_socket_directories = '\(directory)'
            fsync = off
            synchronous_commit = off
            full_page_writes = off
            max_connections = 200
            """
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: dataDirectory + "/postgresql.conf"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(conf.utf8))
        try handle.close()
    }

    deinit { destroy() }

    /// Starts the server and waits (bounded) until it accepts connections.
    public func start() throws {
        try pg("pg_ctl", ["-D", dataDirectory, "-l", logFile, "-w", "-t", "30", "start"])
        // pg_ctl -w already waited; pg_isready confirms the TCP listener answers.
        for _ in 0..<100 {
            do {
                try pg("pg_isready", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-t", "1"])
                return
            } catch {
                // Not accepting yet (exit status 1 or 2): poll again.
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw PostgresClusterError(description: "PostgreSQL on port \(port) did not become ready; see \(logFile)")
    }

    /// Stops the server at once (`-m fast`: open sessions are ended).
    public func stop() throws {
        try pg("pg_ctl", ["-D", dataDirectory, "-m", "fast", "-w", "-t", "30", "stop"])
    }

    public func restart() throws {
        try stop()
        try start()
    }

    public func createDatabase(_ name: String) throws {
        try pg("createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", name])
    }

    /// Runs SQL with `psql` (setup that the code under test must not do itself).
    public func psql(_ sql: String, database: String = "postgres") throws {
        try pg("psql", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
    }

    /// Stops the server if it runs and removes the directory. Idempotent.
    public func destroy() {
        guard FileManager.default.fileExists(atPath: directory) else { return }
        if FileManager.default.fileExists(atPath: dataDirectory + "/postmaster.pid") {
            do { try pg("pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"]) } catch {
                FileHandle.standardError.write(Data("PostgresCluster: stopping \(directory): \(error)\n".utf8))
            }
        }
        do { try FileManager.default.removeItem(atPath: directory) } catch {
            FileHandle.standardError.write(Data("PostgresCluster: removing \(directory): \(error)\n".utf8))
        }
    }

    /// Runs a PostgreSQL binary (as `postgres` when we are root) and returns its output.
    @discardableResult
    private func pg(_ tool: String, _ arguments: [String]) throws -> String {
        let path = binDirectory + "/" + tool
        if runAsPostgres {
            return try Self.runCapturing("/usr/sbin/runuser", ["-u", "postgres", "--", path] + arguments)
        }
        return try Self.runCapturing(path, arguments)
    }

    /// Runs a program with its output in a temporary file and fails on a
    /// non-zero exit. Spawned with the Posix layer, not Foundation's Process:
    /// the server that `pg_ctl start` leaves running would inherit whatever
    /// Foundation uses to notice the child's exit and keep it from ever firing.
    static func runCapturing(_ path: String, _ arguments: [String]) throws -> String {
        let outPath = NSTemporaryDirectory() + "paddock-pg-cmd-" + UUID().uuidString
        defer { unlinkQuietly(outPath) }
        let out = try Files.open(outPath, flags: O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode: 0o600)
        let null: FileDescriptor
        do { null = try Files.open("/dev/null", flags: O_RDONLY | O_CLOEXEC) } catch {
            if let e = out.closeAfterFailure() { throw e }
            throw error
        }
        let environment = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        let pid: Int32
        do {
            pid = try Posix.Process.spawn(path: path, arguments: [path] + arguments, environment: environment,
                                          fds: [(null, 0), (out, 1), (out, 2)], newProcessGroup: false)
        } catch {
            _ = out.closeAfterFailure()
            _ = null.closeAfterFailure()
            throw error
        }
        try out.close()
        try null.close()
        let status = try Posix.Process.wait(for: pid)
        let text = String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self)
        guard status == .exited(0) else {
            throw PostgresClusterError(description: "\(path) \(arguments.joined(separator: " ")) ended with \(status): \(text)")
        }
        return text
    }

    /// A port nobody listens on now: bind 127.0.0.1:0 and read what the kernel chose.
    static func freePort() throws -> Int {
        let fd = try Socket.listen(on: .ipv4("127.0.0.1", 0), backlog: 1)
        let address: SocketAddress?
        do { address = try Socket.localAddress(fd) } catch {
            if let e = fd.closeAfterFailure() { throw e }
            throw error
        }
        try fd.close()
        guard case .ipv4(_, let port)? = address else {
            throw PostgresClusterError(description: "getsockname gave no IPv4 port")
        }
        return Int(port)
    }
}

/// Removes a scratch file; a failure only leaves litter in the temporary directory.
private func unlinkQuietly(_ path: String) {
    do { try Files.unlink(path) } catch {
        FileHandle.standardError.write(Data("PostgresCluster: \(error)\n".utf8))
    }
}
