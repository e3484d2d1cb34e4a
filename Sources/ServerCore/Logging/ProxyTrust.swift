/// Which peers may speak for the client through `X-Forwarded-For` and
/// `X-Forwarded-Proto` (the `forwarded_allow_ips` setting).
///
/// The client is the right-most `X-Forwarded-For` hop that is not a trusted
/// proxy: each trusted proxy appends the address it saw, so everything to the
/// right of the first untrusted hop was written by proxies we trust, while
/// anything to its left may have been invented by the client. gunicorn takes
/// the first hop instead; with `*` (every hop trusted) this gives the same.
public struct ProxyTrust: Sendable {
    /// The trusted proxies: addresses, CIDR ranges, or `*`.
    public let proxies: AddressMatcher

    public init(proxies: AddressMatcher) {
        self.proxies = proxies
    }

    /// Parses `allowed` as `forwarded_allow_ips` entries.
    public init(allowed: [String]) throws(IPNetworkError) {
        self.init(proxies: try AddressMatcher(parsing: allowed))
    }

    /// From `forwarded_allow_ips`, parsed once here rather than per request.
    public init(configuration: Configuration) throws(ConfigError) {
        do throws(IPNetworkError) { try self.init(allowed: configuration[Settings.forwardedAllowIPs]) } catch {
            throw ConfigError("invalid value for forwarded_allow_ips: \(error)")
        }
    }

    /// `*`: believe any peer.
    public var trustsEveryone: Bool { proxies.matchesAny }

    /// True when `address` may forward for others. "" is a Unix-socket peer:
    /// only a local process can connect there, which is how a proxy on the
    /// same machine talks to us, so it is trusted (as in gunicorn).
    public func isTrusted(_ address: String) -> Bool {
        address.isEmpty || proxies.contains(address)
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
            guard IPAddress(address) != nil else { break }
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
        IPAddress(text) != nil
    }
}
