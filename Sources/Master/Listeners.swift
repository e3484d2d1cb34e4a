import Glibc
import Posix
import ServerCore

/// A bound listening socket owned by the master.
struct Listener {
    let address: SocketAddress
    let fd: FileDescriptor
    /// Serves only the admin endpoints (`admin_bind`).
    var isAdmin = false
    /// The master created this Unix socket's file and removes it at exit;
    /// sockets passed by systemd are systemd's to remove.
    var ownsPath = false
}

enum Listeners {
    /// Binds every address. With `reusePort`, TCP sockets are bound but not
    /// listened on: they reserve the address while each worker listens on its
    /// own SO_REUSEPORT socket, so the kernel never queues a connection on a
    /// socket that nobody accepts from.
    static func bind(_ addresses: [SocketAddress], backlog: Int32, reusePort: Bool) throws -> [Listener] {
        var out: [Listener] = []
        do {
            for address in addresses {
                if reusePort && address.family != AF_UNIX {
                    let fd = try Socket.stream(family: address.family)
                    try Socket.setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, context: address.description)
                    try Socket.setOption(fd, SOL_SOCKET, SO_REUSEPORT, 1, context: address.description)
                    if address.family == AF_INET6 { try Socket.setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 1, context: address.description) }
                    try address.withSockAddr { sa, len in
                        _ = try syscall("bind", context: address.description) { Glibc.bind(fd.rawValue, sa, len) }
                    }
                    out.append(Listener(address: try Socket.localAddress(fd) ?? address, fd: fd))
                } else {
                    let fd = try Socket.listen(on: address, backlog: backlog)
                    var l = Listener(address: try Socket.localAddress(fd) ?? address, fd: fd)
                    if case .unix = address { l.ownsPath = true }
                    out.append(l)
                }
            }
        } catch {
            for l in out { l.fd.closeAfterFailure() }
            throw error
        }
        return out
    }
}
