import Foundation
import Glibc
import Posix

/// A throwaway PgBouncer for tests, in front of a `PostgresCluster`: its ini
/// and userlist in a fresh temporary directory, listening on 127.0.0.1 at a
/// free port, in transaction pooling mode (the mode that breaks anything
/// relying on session state), trusting the cluster's `postgres` user.
///
/// PgBouncer refuses to run as root, so when the tests run as root it runs
/// as the `postgres` user (`setpriv`, which execs in place, so `pid` is
/// PgBouncer's own) and the directory is given to that user.
public final class PgBouncer: @unchecked Sendable {
    public let directory: String
    public let port: Int
    public let pid: Int32
    public var logFile: String { directory + "/pgbouncer.log" }
    private var status: ExitStatus?

    /// `postgresql://postgres@127.0.0.1:PORT/DATABASE` through PgBouncer.
    public func url(database: String = "postgres") -> String { "postgresql://postgres@127.0.0.1:\(port)/\(database)" }

    /// The `pgbouncer` binary, or nil when it is not installed (`apt-get install pgbouncer`).
    public static func findBinary() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let dirs = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"]
        return dirs.map { $0 + "/pgbouncer" }.first { Files.isExecutable($0) }
    }

    /// Starts PgBouncer and waits (bounded) until it accepts connections.
    /// - Parameters:
    ///   - poolSize: server connections per database and user (`default_pool_size`).
    ///   - serverLoginRetry: seconds before PgBouncer tries a failed server again
    ///     (PgBouncer's default of 15 s would hold an outage open long after the
    ///     database is back).
    public init(binary: String, cluster: PostgresCluster, poolSize: Int, serverLoginRetry: Int = 1) throws {
        directory = NSTemporaryDirectory() + "paddock-pgbouncer-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        port = try PostgresCluster.freePort()
        let ini = """
            [databases]
            * = host=127.0.0.1 port=\(cluster.port)

            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = \(port)
            unix_socket_dir =
            auth_type = trust
            auth_file = \(directory)/userlist.txt
            pool_mode = transaction
            default_pool_size = \(poolSize)
            min_pool_size = 0
            reserve_pool_size = 0
            max_client_conn = 500
            server_login_retry = \(serverLoginRetry)
            server_connect_timeout = 2
            query_wait_timeout = 10
            logfile = \(directory)/pgbouncer.log
            log_connections = 0
            log_disconnections = 0

            """
        try ini.write(toFile: directory + "/pgbouncer.ini", atomically: true, encoding: .utf8)
        try "\"postgres\" \"\"\n".write(toFile: directory + "/userlist.txt", atomically: true, encoding: .utf8)
        var arguments = [binary, directory + "/pgbouncer.ini"]
        var path = binary
        if Posix.Process.userID == 0 {
            for item in ["", "/pgbouncer.ini", "/userlist.txt"] {
                try FileManager.default.setAttributes([.ownerAccountName: "postgres", .groupOwnerAccountName: "postgres"],
                                                      ofItemAtPath: directory + item)
            }
            path = "/usr/bin/setpriv"
            arguments = [path, "--reuid=postgres", "--regid=postgres", "--init-groups", "--"] + arguments
        }
        let null = try Files.open("/dev/null", flags: O_RDWR | O_CLOEXEC)
        defer { null.closeAfterFailure() }
        pid = try Posix.Process.spawn(path: path, arguments: arguments,
                                      environment: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],
                                      fds: [(null, 0), (null, 1), (null, 2)], newProcessGroup: true)
        try waitAccepting(timeout: 10)
    }

    deinit { stop() }

    /// Polls until a TCP connection to the port succeeds.
    private func waitAccepting(timeout: Double) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let st = exitStatus() { throw PostgresClusterError(description: "pgbouncer exited (\(st)); log:\n\(log())") }
            let fd = try Socket.stream(family: AF_INET)
            do {
                try Socket.connect(fd, to: .ipv4("127.0.0.1", UInt16(port)))
                try fd.close()
                return
            } catch {
                fd.closeAfterFailure()
            }
            Clock.sleep(milliseconds: 20)
        }
        throw PostgresClusterError(description: "pgbouncer on port \(port) did not accept within \(timeout)s; log:\n\(log())")
    }

    public func log() -> String { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }

    /// Non-blocking: the exit status once PgBouncer has exited.
    public func exitStatus() -> ExitStatus? {
        if let status { return status }
        var raw: Int32 = 0
        if waitpid(pid, &raw, WNOHANG) == pid { status = ExitStatus(raw: raw) }
        return status
    }

    /// Stops PgBouncer (SIGTERM: immediate shutdown), KILL if it lingers,
    /// reaps it and removes the directory. Idempotent.
    public func stop() {
        if exitStatus() == nil {
            _ = Glibc.kill(pid, SIGTERM)
            if !waitForProcessExit(pid, timeout: 5) { _ = Glibc.kill(pid, SIGKILL) }
            var raw: Int32 = 0
            if waitpid(pid, &raw, 0) == pid { status = ExitStatus(raw: raw) }
        }
        if FileManager.default.fileExists(atPath: directory) {
            do { try FileManager.default.removeItem(atPath: directory) } catch {
                FileHandle.standardError.write(Data("PgBouncer: removing \(directory): \(error)\n".utf8))
            }
        }
    }
}
