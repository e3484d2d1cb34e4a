import Glibc

/// A listening or peer address: IPv4, IPv6 or a Unix-domain path.
public enum SocketAddress: Hashable, Sendable, CustomStringConvertible {
    case ipv4(String, UInt16)
    case ipv6(String, UInt16)
    case unix(String)

    /// Parses gunicorn's bind syntax: `HOST:PORT`, `[V6]:PORT`, `unix:PATH`,
    /// `:PORT` or a bare `PORT` (both meaning 127.0.0.1), `localhost:PORT`.
    public init?(bind text: String) {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            guard !path.isEmpty, path.utf8.count < 108 else { return nil }
            self = .unix(path)
            return
        }
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":"), let port = UInt16(rest.dropFirst()) else { return nil }
            guard SocketAddress.isIPv6(host) else { return nil }
            self = .ipv6(host, port)
            return
        }
        if let port = UInt16(text) { self = .ipv4("127.0.0.1", port); return }
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        guard let port = UInt16(text[text.index(after: colon)...]) else { return nil }
        if host.isEmpty || host == "localhost" { host = "127.0.0.1" }
        guard SocketAddress.isIPv4(host) else { return nil }
        self = .ipv4(host, port)
    }

    public var description: String {
        switch self {
        case .ipv4(let h, let p): return "\(h):\(p)"
        case .ipv6(let h, let p): return "[\(h)]:\(p)"
        case .unix(let path): return "unix:\(path)"
        }
    }

    public var family: Int32 {
        switch self {
        case .ipv4: return AF_INET
        case .ipv6: return AF_INET6
        case .unix: return AF_UNIX
        }
    }

    static func isIPv4(_ s: String) -> Bool {
        var a = in_addr()
        return inet_pton(AF_INET, s, &a) == 1
    }

    static func isIPv6(_ s: String) -> Bool {
        var a = in6_addr()
        return inet_pton(AF_INET6, s, &a) == 1
    }

    /// Calls `body` with this address as a `sockaddr`.
    public func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> R) throws -> R {
        switch self {
        case .ipv4(let host, let port):
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = port.bigEndian
            _ = inet_pton(AF_INET, host, &sin.sin_addr)
            return try withUnsafePointer(to: &sin) { (p) throws in
                try p.withMemoryRebound(to: sockaddr.self, capacity: 1) { (sp) throws in
                    try body(sp, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        case .ipv6(let host, let port):
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = port.bigEndian
            _ = inet_pton(AF_INET6, host, &sin6.sin6_addr)
            return try withUnsafePointer(to: &sin6) { (p) throws in
                try p.withMemoryRebound(to: sockaddr.self, capacity: 1) { (sp) throws in
                    try body(sp, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        case .unix(let path):
            var sun = sockaddr_un()
            sun.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            withUnsafeMutableBytes(of: &sun.sun_path) { raw in
                for (i, b) in bytes.enumerated() where i < raw.count - 1 { raw[i] = b }
            }
            return try withUnsafePointer(to: &sun) { (p) throws in
                try p.withMemoryRebound(to: sockaddr.self, capacity: 1) { (sp) throws in
                    try body(sp, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
        }
    }

    /// `withSockAddr` for bodies that cannot fail.
    public func withSockAddrNonThrowing<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        // The throwing variant only rethrows what `body` throws.
        do { return try withSockAddr { (sa, len) in body(sa, len) } } catch { fatalError("unreachable: \(error)") }
    }

    /// Decodes a `sockaddr_storage` filled by the kernel.
    public init?(storage: sockaddr_storage) {
        var st = storage
        switch Int32(st.ss_family) {
        case AF_INET:
            let sin = withUnsafeBytes(of: &st) { $0.load(as: sockaddr_in.self) }
            var a = sin.sin_addr
            var buf = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            inet_ntop(AF_INET, &a, &buf, socklen_t(buf.count))
            self = .ipv4(String(nulTerminated: buf), UInt16(bigEndian: sin.sin_port))
        case AF_INET6:
            let sin6 = withUnsafeBytes(of: &st) { $0.load(as: sockaddr_in6.self) }
            var a = sin6.sin6_addr
            var buf = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            inet_ntop(AF_INET6, &a, &buf, socklen_t(buf.count))
            self = .ipv6(String(nulTerminated: buf), UInt16(bigEndian: sin6.sin6_port))
        case AF_UNIX:
            let sun = withUnsafeBytes(of: &st) { $0.load(as: sockaddr_un.self) }
            var path = sun.sun_path
            let s = withUnsafeBytes(of: &path) { raw -> String in
                let bytes = raw.prefix { $0 != 0 }
                return String(decoding: bytes, as: UTF8.self)
            }
            self = .unix(s)
        default:
            return nil
        }
    }

    /// The host part as text (for logs): the IP, or "" for Unix sockets.
    public var host: String {
        switch self {
        case .ipv4(let h, _), .ipv6(let h, _): return h
        case .unix: return ""
        }
    }
}
