import Glibc

/// `poll(2)` over a set of descriptors, for the master's loop.
public enum Poll {
    public static let readable = Int16(POLLIN)
    public static let writable = Int16(POLLOUT)
    public static let hangup = Int16(POLLHUP)
    public static let error = Int16(POLLERR)
    /// The peer shut down its write side (or closed); Glibc hides `POLLRDHUP` without `_GNU_SOURCE`.
    public static let peerClosed: Int16 = 0x2000 // POLLRDHUP

    /// Waits up to `timeoutMs` (-1 forever). EINTR returns 0 (a signal arrived:
    /// the caller's loop re-checks its self-pipe), it is not retried here.
    /// The C function is `poll(2)`.
    public static func wait(_ fds: inout [pollfd], timeoutMs: Int32) throws -> Int {
        let r = fds.withUnsafeMutableBufferPointer { Glibc.poll($0.baseAddress, nfds_t($0.count), timeoutMs) }
        if r >= 0 { return Int(r) }
        let e = Errno.current
        if e == .EINTR { return 0 }
        throw SystemError("poll", e)
    }
}
