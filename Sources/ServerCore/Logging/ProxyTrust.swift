import Posix

/// Which peers may speak for the client through `X-Forwarded-For` and
/// `X-Forwarded-Proto` (the `forwarded_allow_ips` setting).
///
/// The client is the right-most `X-Forwarded-For` hop that is not a trusted
/// proxy: each trusted proxy appends the address it saw, so everything to the
/// right of the first untrusted hop was written by proxies we trust, while
/// anything to its left may have been invented by the client. gunicorn takes
/// the first hop instead; with `*` (every hop trusted) this gives the same.
public struct ProxyTrust: Sendable {
    /// `*`: believe any peer.
    public let trustsEveryone: Bool
    /// Trusted addresses in canonical text form.
    public let addresses: Set<String>

    public init(allowed: [String]) {
        trustsEveryone = allowed.contains("*")
        addresses = Set(allowed.filter { $0 != "*" }.map(ProxyTrust.canonical))
    }

    /// From `forwarded_allow_ips`.
    public init(configuration: Configuration) {
        self.init(allowed: configuration[Settings.forwardedAllowIPs])
    }

    /// True when `address` may forward for others. "" is a Unix-socket peer:
    /// only a local process can connect there, which is how a proxy on the
    /// same machine talks to us, so it is trusted (as in gunicorn).
    public func isTrusted(_ address: String) -> Bool {
        trustsEveryone || address.isEmpty || addresses.contains(ProxyTrust.canonical(address))
    }

    /// The client's address: the peer, or, when the peer is trusted, the
    /// right-most untrusted `X-Forwarded-For` hop (the left-most when all are
    /// trusted). A hop that is not an IP address ends the walk, leaving the
    /// last good one, so garbage never reaches the log as an address.
    public func clientAddress(for request: HTTPRequest) -> String {
        var client = request.remoteAddress
        guard isTrusted(client) else { return client }
        // Several header fields form one list, in order (RFC 9110 5.3).
        let hops = request.headers.values("X-Forwarded-For").flatMap { $0.split(separator: ",") }
        for hop in hops.reversed() {
            let address = hop.trimmingWhitespace()
            guard ProxyTrust.isPlausibleAddress(address) else { break }
            client = address
            if !isTrusted(address) { break }
        }
        return client
    }

    /// `http` or `https` from `X-Forwarded-Proto` when the peer is trusted;
    /// nil otherwise, or for any other value.
    public func forwardedProto(for request: HTTPRequest) -> String? {
        guard isTrusted(request.remoteAddress), let value = request.headers["X-Forwarded-Proto"] else { return nil }
        let scheme = value.trimmingWhitespace().lowercased()
        return scheme == "http" || scheme == "https" ? scheme : nil
    }

    /// An IPv4 or IPv6 address in text form (no port, no brackets).
    public static func isPlausibleAddress(_ text: String) -> Bool {
        guard !text.isEmpty, text != "localhost", text.utf8.count <= 45 else { return false }
        // SocketAddress parses with inet_pton(3), so this accepts exactly what the kernel would.
        if text.contains(":") { return SocketAddress(bind: "[\(text)]:0") != nil }
        return SocketAddress(bind: "\(text):0") != nil
    }

    /// Lower case, and an IPv4-mapped IPv6 address (a dual-stack socket's view
    /// of an IPv4 peer) as its IPv4 form, so `127.0.0.1` matches either.
    static func canonical(_ address: String) -> String {
        let lower = address.lowercased()
        if lower.hasPrefix("::ffff:"), !lower.dropFirst(7).contains(":") { return String(lower.dropFirst(7)) }
        return lower
    }
}
