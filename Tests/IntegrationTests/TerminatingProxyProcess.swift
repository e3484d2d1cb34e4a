import Foundation
import Glibc
import Posix
import TestSupport

/// A TLS-terminating proxy (HAProxy or nginx) in the foreground, on a
/// frontend socket the test bound on `[::1]` and passes as fd 3, with its
/// standard output and error in a file. HAProxy takes the socket as
/// `bind fd@3`; nginx as an inherited socket (`NGINX=3;`, the variable its
/// binary upgrade uses), matched to the `listen` naming the same address.
final class TerminatingProxyProcess: ProxyChild {
    let pid: Int32
    let port: UInt16
    let directory: String
    let logPath: String
    var reapedStatus: ExitStatus?

    /// The program named `name` on PATH or in the sbin directories, if installed.
    static func findBinary(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let dirs = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/local/sbin", "/sbin"]
        return dirs.map { $0 + "/" + name }.first { Files.isExecutable($0) }
    }

    /// Binds the frontend on `[::1]:0`; `start` gets its port and the
    /// directory and returns the program's arguments and extra environment,
    /// after writing whatever configuration they name.
    init(binary: String, name: String,
         start: (_ port: UInt16, _ directory: String) throws -> (arguments: [String], environment: [String])) throws {
        directory = try ServerProcess.makeTemporaryDirectory(name)
        logPath = directory + "/\(name).log"
        let frontend = try Socket.listen(on: .ipv6("::1", 0), backlog: 1024)
        defer { frontend.closeAfterFailure() }
        guard case .ipv6(_, let p)? = try Socket.localAddress(frontend) else { throw SystemError("getsockname", .EINVAL) }
        port = p
        let (arguments, environment) = try start(p, directory)
        let logFile = try Files.open(logPath, flags: O_WRONLY | O_CREAT | O_TRUNC | O_APPEND)
        defer { logFile.closeAfterFailure() }
        pid = try Process.spawn(path: binary, arguments: [binary] + arguments,
                                environment: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"] + environment,
                                fds: [(.standardInput, 0), (logFile, 1), (logFile, 2), (frontend, 3)], newProcessGroup: true)
    }

    deinit { stop() }

    func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
}
