import Glibc

extension Socket {
    /// Starts connecting a non-blocking socket. `.done` when it connected at
    /// once (a Unix socket, often loopback); `.wouldBlock` while the
    /// connection is under way: wait until the socket is writable, then ask
    /// `pendingError`. A refused or unreachable peer is thrown as the
    /// `SystemError` naming the call. The C function is `connect(2)`.
    public static func startConnect(_ fd: FileDescriptor, to address: SocketAddress) throws -> IOResult<Void> {
        let r = address.withSockAddrNonThrowing { sa, len in Glibc.connect(fd.rawValue, sa, len) }
        if r == 0 { return .done(()) }
        let e = Errno.current
        // Not retried on EINTR: a second connect(2) would say EALREADY. The
        // interrupted connection goes on in the background, as with EINPROGRESS.
        if e == Errno(rawValue: EINPROGRESS) || e == .EINTR { return .wouldBlock }
        throw SystemError("connect", e, context: address.description)
    }

    /// The error a non-blocking `connect` ended with, nil when it connected.
    /// The C function is `getsockopt(2)` SO_ERROR.
    public static func pendingError(_ fd: FileDescriptor) throws -> Errno? {
        let value = try getOption(fd, SOL_SOCKET, SO_ERROR)
        return value == 0 ? nil : Errno(rawValue: value)
    }
}
