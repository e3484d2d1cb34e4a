import Glibc
import Posix

/// Which configured `bind` addresses a socket inherited from systemd
/// (`LISTEN_FDS`) already listens on. As nginx and gunicorn do, the
/// inherited socket's local address (`getsockname`) is compared with the
/// configured one; a match satisfies that entry, which the master then must
/// not bind again (the kernel would refuse: address already in use).
enum InheritedBinds {
    /// The configured addresses no inherited socket listens on, in their
    /// order: the ones still to bind. `directory` resolves a relative Unix
    /// path (systemd binds absolute ones).
    static func unmatched(_ configured: [SocketAddress], inherited: [SocketAddress], directory: String) -> [SocketAddress] {
        configured.filter { address in !inherited.contains { matches(address, $0, directory: directory) } }
    }

    /// Whether a socket bound to `inherited` is the one `configured` asks for.
    /// Port 0 asks the kernel for any free port, so an existing socket never
    /// is that request. Hosts are compared as addresses, not as text
    /// (`::0001` is `::1`); a wildcard matches only a wildcard.
    static func matches(_ configured: SocketAddress, _ inherited: SocketAddress, directory: String) -> Bool {
        switch (canonical(configured), canonical(inherited)) {
        case (.ipv4(let h, let p), .ipv4(let ih, let ip)), (.ipv6(let h, let p), .ipv6(let ih, let ip)):
            return p != 0 && p == ip && h == ih
        case (.unix(let path), .unix(let ipath)):
            guard !path.isEmpty else { return false }
            let absolute = path.hasPrefix("/") ? path : directory + "/" + path
            return absolute == ipath
        default:
            return false
        }
    }

    /// The address as the kernel would report it: the host through
    /// inet_pton and back, so spellings of one address compare equal.
    static func canonical(_ address: SocketAddress) -> SocketAddress {
        guard address.family != AF_UNIX else { return address }
        let decoded = address.withSockAddrNonThrowing { sa, len -> SocketAddress? in
            var storage = sockaddr_storage()
            withUnsafeMutableBytes(of: &storage) { raw in raw.copyMemory(from: UnsafeRawBufferPointer(start: sa, count: Int(len))) }
            return SocketAddress(storage: storage)
        }
        return decoded ?? address
    }
}
