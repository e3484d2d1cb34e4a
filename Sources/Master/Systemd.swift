import Glibc
import Posix
import ServerCore

/// sd_notify over `NOTIFY_SOCKET`: a plain datagram to a Unix socket (or an
/// abstract one when the path starts with `@`); no libsystemd.
struct SystemdNotifier {
    let socketPath: String?

    init(environment: [String: String]) {
        let path = environment["NOTIFY_SOCKET"] ?? ""
        socketPath = path.isEmpty ? nil : path
    }

    var isEnabled: Bool { socketPath != nil }

    /// Sends newline-separated `KEY=VALUE` assignments. Failure is logged by
    /// the caller; systemd being gone must never stop the server.
    func notify(_ assignments: String) throws {
        guard let socketPath else { return }
        try Socket.sendDatagram(Array(assignments.utf8), toUnixPath: socketPath)
    }
}

/// systemd socket activation: `LISTEN_FDS` sockets starting at fd 3, meant
/// for us when `LISTEN_PID` is our pid (sd_listen_fds(3)).
enum SocketActivation {
    static let firstFD: Int32 = 3

    static func inheritedListeners(environment: [String: String]) throws -> [Listener] {
        guard let countText = environment["LISTEN_FDS"], let count = Int(countText), count > 0 else { return [] }
        if let pidText = environment["LISTEN_PID"], let pid = Int32(pidText), pid != Process.id { return [] }
        var out: [Listener] = []
        for i in 0..<count {
            let fd = FileDescriptor(rawValue: firstFD + Int32(i))
            // Not inherited by anything we spawn except through the spawner's explicit mapping.
            try fd.setCloseOnExec(true)
            guard let address = try Socket.localAddress(fd) else {
                throw SystemError("getsockname", .ENOTSOCK, context: "LISTEN_FDS fd \(fd.rawValue)")
            }
            out.append(Listener(address: address, fd: fd))
        }
        return out
    }
}
