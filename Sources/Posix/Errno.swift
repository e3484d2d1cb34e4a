import Glibc

/// A POSIX error number, typed. The C name is `errno(3)`.
public struct Errno: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The calling thread's current `errno`.
    public static var current: Errno { Errno(rawValue: Glibc.errno) }

    public static let EINTR = Errno(rawValue: Glibc.EINTR)
    public static let EAGAIN = Errno(rawValue: Glibc.EAGAIN)
    public static let EWOULDBLOCK = Errno(rawValue: Glibc.EWOULDBLOCK)
    public static let ECHILD = Errno(rawValue: Glibc.ECHILD)
    public static let ESRCH = Errno(rawValue: Glibc.ESRCH)
    public static let ENOENT = Errno(rawValue: Glibc.ENOENT)
    public static let EEXIST = Errno(rawValue: Glibc.EEXIST)
    public static let EADDRINUSE = Errno(rawValue: Glibc.EADDRINUSE)
    public static let ECONNRESET = Errno(rawValue: Glibc.ECONNRESET)
    public static let ECONNABORTED = Errno(rawValue: Glibc.ECONNABORTED)
    public static let EPIPE = Errno(rawValue: Glibc.EPIPE)
    public static let EMFILE = Errno(rawValue: Glibc.EMFILE)
    public static let ENFILE = Errno(rawValue: Glibc.ENFILE)
    public static let ENOBUFS = Errno(rawValue: Glibc.ENOBUFS)
    public static let ENOMEM = Errno(rawValue: Glibc.ENOMEM)
    public static let EINVAL = Errno(rawValue: Glibc.EINVAL)
    public static let EBADF = Errno(rawValue: Glibc.EBADF)
    public static let EPROTO = Errno(rawValue: Glibc.EPROTO)
    public static let ENOTCONN = Errno(rawValue: Glibc.ENOTCONN)
    public static let ENOTSOCK = Errno(rawValue: Glibc.ENOTSOCK)
    public static let ECONNREFUSED = Errno(rawValue: Glibc.ECONNREFUSED)
    public static let EPERM = Errno(rawValue: Glibc.EPERM)
    public static let EACCES = Errno(rawValue: Glibc.EACCES)
    public static let ELOOP = Errno(rawValue: Glibc.ELOOP)

    /// True for EAGAIN / EWOULDBLOCK.
    public var isWouldBlock: Bool { self == .EAGAIN || self == .EWOULDBLOCK }

    /// `strerror(3)` text plus the symbolic number, e.g. "Address already in use (errno 98)".
    public var description: String {
        let text = strerror(rawValue).map { String(cString: $0) } ?? "unknown error"
        return "\(text) (errno \(rawValue))"
    }
}
