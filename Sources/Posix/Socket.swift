import CPosixShims
import Glibc

/// Socket system calls. Every call goes through the error funnel and names itself.
public enum Socket {
    /// Creates a stream socket, close-on-exec. The C function is `socket(2)`.
    public static func stream(family: Int32, nonBlocking: Bool = false) throws -> FileDescriptor {
        var type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        if nonBlocking { type |= Int32(SOCK_NONBLOCK.rawValue) }
        return FileDescriptor(rawValue: try syscall("socket") { Glibc.socket(family, type, 0) })
    }

    /// Creates, configures, binds and listens. The C functions are `socket(2)`,
    /// `setsockopt(2)`, `bind(2)` and `listen(2)`.
    public static func listen(on address: SocketAddress, backlog: Int32, reusePort: Bool = false) throws -> FileDescriptor {
        let fd = try stream(family: address.family)
        do {
            if address.family != AF_UNIX {
                try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, context: address.description)
                if reusePort { try setOption(fd, SOL_SOCKET, SO_REUSEPORT, 1, context: address.description) }
                if address.family == AF_INET6 {
                    try setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 1, context: address.description)
                }
            } else if case .unix(let path) = address {
                try removeStaleUnixSocket(path)
            }
            try address.withSockAddr { (sa, len) throws in
                _ = try syscall("bind", context: address.description) { Glibc.bind(fd.rawValue, sa, len) }
            }
            _ = try syscall("listen", context: address.description) { Glibc.listen(fd.rawValue, backlog) }
        } catch {
            // The bind/listen error is the one to report; a close failure on an
            // fd we are abandoning would only hide it.
            fd.closeAfterFailure()
            throw error
        }
        return fd
    }

    /// Unlinks `path` if it is a socket nobody listens on (left by a crash).
    static func removeStaleUnixSocket(_ path: String) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        guard (st.st_mode & S_IFMT) == S_IFSOCK else { return }
        let probe = try stream(family: AF_UNIX)
        defer { probe.closeAfterFailure() }
        // connect(2) failing here is the expected answer ("nobody listens"), not an error.
        let inUse = SocketAddress.unix(path).withSockAddrNonThrowing { sa, len in
            Glibc.connect(probe.rawValue, sa, len) == 0
        }
        if !inUse { _ = try syscall("unlink", context: path) { Glibc.unlink(path) } }
    }

    /// The C function is `setsockopt(2)`.
    public static func setOption(_ fd: FileDescriptor, _ level: Int32, _ name: Int32, _ value: Int32, context: String? = nil) throws {
        var v = value
        _ = try syscall("setsockopt", context: context ?? "fd=\(fd.rawValue) opt=\(name)") {
            Glibc.setsockopt(fd.rawValue, level, name, &v, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// The C function is `getsockopt(2)`.
    public static func getOption(_ fd: FileDescriptor, _ level: Int32, _ name: Int32) throws -> Int32 {
        var v: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        _ = try syscall("getsockopt", context: "fd=\(fd.rawValue) opt=\(name)") {
            Glibc.getsockopt(fd.rawValue, level, name, &v, &len)
        }
        return v
    }

    /// Accepts one connection, non-blocking and close-on-exec, with its peer address.
    /// The C function is `accept4(2)`.
    @inline(__always)
    public static func accept(_ fd: FileDescriptor) throws -> IOResult<FileDescriptor> {
        switch try nonBlockingSyscall("accept4", { () -> Int32 in
            paddock_accept4(fd.rawValue, nil, nil, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
        }) {
        case .done(let c): return .done(FileDescriptor(rawValue: c))
        case .wouldBlock: return .wouldBlock
        }
    }

    /// Accepts one connection and returns its peer address too.
    /// The C function is `accept4(2)`.
    public static func acceptWithPeer(_ fd: FileDescriptor) throws -> IOResult<(FileDescriptor, SocketAddress?)> {
        var st = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let r = try withUnsafeMutablePointer(to: &st) { p in
            try p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sp in
                try nonBlockingSyscall("accept4") {
                    paddock_accept4(fd.rawValue, sp, &len, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
                }
            }
        }
        switch r {
        case .done(let c): return .done((FileDescriptor(rawValue: c), SocketAddress(storage: st)))
        case .wouldBlock: return .wouldBlock
        }
    }

    /// The local address a socket is bound to. The C function is `getsockname(2)`.
    public static func localAddress(_ fd: FileDescriptor) throws -> SocketAddress? {
        var st = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try withUnsafeMutablePointer(to: &st) { (p) throws in
            try p.withMemoryRebound(to: sockaddr.self, capacity: 1) { (sp) throws in
                try syscall("getsockname") { Glibc.getsockname(fd.rawValue, sp, &len) }
            }
        }
        return SocketAddress(storage: st)
    }

    /// The peer address of a connected socket. The C function is `getpeername(2)`.
    public static func peerAddress(_ fd: FileDescriptor) throws -> SocketAddress? {
        var st = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try withUnsafeMutablePointer(to: &st) { (p) throws in
            try p.withMemoryRebound(to: sockaddr.self, capacity: 1) { (sp) throws in
                try syscall("getpeername") { Glibc.getpeername(fd.rawValue, sp, &len) }
            }
        }
        return SocketAddress(storage: st)
    }

    /// A connected pair of Unix stream sockets, close-on-exec. The C function is `socketpair(2)`.
    public static func pair(type: Int32 = Int32(SOCK_STREAM.rawValue)) throws -> (FileDescriptor, FileDescriptor) {
        var fds: [Int32] = [-1, -1]
        _ = try syscall("socketpair") { Glibc.socketpair(AF_UNIX, type | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) }
        return (FileDescriptor(rawValue: fds[0]), FileDescriptor(rawValue: fds[1]))
    }

    /// Connects (blocking). The C function is `connect(2)`.
    public static func connect(_ fd: FileDescriptor, to address: SocketAddress) throws {
        try address.withSockAddr { (sa, len) throws in
            _ = try syscall("connect", context: address.description) { Glibc.connect(fd.rawValue, sa, len) }
        }
    }

    /// The C function is `shutdown(2)`.
    public static func shutdown(_ fd: FileDescriptor, how: Int32) throws {
        _ = try syscall("shutdown", context: "fd=\(fd.rawValue)") { Glibc.shutdown(fd.rawValue, how) }
    }

    /// Sends one datagram to a Unix-domain path (abstract when it starts with "@").
    /// The C function is `sendto(2)`.
    public static func sendDatagram(_ bytes: [UInt8], toUnixPath path: String) throws {
        let fd = FileDescriptor(rawValue: try syscall("socket") {
            Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        })
        defer { fd.closeAfterFailure() }
        var sun = sockaddr_un()
        sun.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(path.utf8)
        if pathBytes.first == UInt8(ascii: "@") { pathBytes[0] = 0 }
        guard pathBytes.count < MemoryLayout.size(ofValue: sun.sun_path) else {
            throw SystemError("sendto", .EINVAL, context: path)
        }
        withUnsafeMutableBytes(of: &sun.sun_path) { raw in
            for (i, b) in pathBytes.enumerated() { raw[i] = b }
        }
        let len = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count)
        let sent: Int = withUnsafePointer(to: &sun) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sp in
                bytes.withUnsafeBytes { b in
                    Glibc.sendto(fd.rawValue, b.baseAddress, b.count, Int32(MSG_NOSIGNAL), sp, len)
                }
            }
        }
        if sent == -1 { throw SystemError("sendto", .current, context: path) }
    }

    /// Connections waiting in a listening TCP socket's accept queue, and its
    /// limit. The C function is `getsockopt(2)` TCP_INFO.
    public static func listenQueue(_ fd: FileDescriptor) throws -> (queued: Int, limit: Int) {
        var q: UInt32 = 0, l: UInt32 = 0
        _ = try syscall("getsockopt", context: "TCP_INFO fd=\(fd.rawValue)") { paddock_listen_queue(fd.rawValue, &q, &l) }
        return (Int(q), Int(l))
    }

    /// Copies what is waiting on a connected socket into `buffer` without
    /// consuming it (a later read returns the same bytes); 0 means end of
    /// stream. The C function is `recv(2)` with MSG_PEEK.
    public static func peek(_ fd: FileDescriptor, into buffer: UnsafeMutableRawBufferPointer) throws -> IOResult<Int> {
        try nonBlockingSyscall("recv", context: "MSG_PEEK fd=\(fd.rawValue)") {
            Glibc.recv(fd.rawValue, buffer.baseAddress, buffer.count, Int32(MSG_PEEK))
        }
    }

    /// Bytes waiting in a listening socket's accept queue is not exposed per
    /// socket; this returns the number of unread bytes on a connected socket.
    /// The C function is `ioctl(2)` FIONREAD.
    public static func pendingBytes(_ fd: FileDescriptor) throws -> Int {
        var n: Int32 = 0
        _ = try syscall("ioctl", context: "FIONREAD fd=\(fd.rawValue)") { paddock_ioctl_int(fd.rawValue, UInt(FIONREAD), &n) }
        return Int(n)
    }
}
