/// A set of trusted peers: CIDR ranges of either family, or `*` for any,
/// as in gunicorn's `forwarded_allow_ips`. Built once when the configuration
/// is loaded; `contains` parses the peer's text in place and walks a small
/// array of masks, so checking a request allocates nothing.
///
/// Used for `forwarded_allow_ips` (`ProxyTrust`); meant as well for any
/// later list of trusted peers, such as one for the PROXY protocol.
public struct AddressMatcher: Sendable, Equatable {
    /// `*` was listed: every peer matches (container networks change addresses).
    public let matchesAny: Bool
    public let networks: [IPNetwork]

    /// Parses each entry: `*`, an address, or `address/prefix`.
    public init(parsing entries: [String]) throws(IPNetworkError) {
        var networks: [IPNetwork] = []
        var any = false
        for entry in entries {
            if entry == "*" { any = true; continue }
            networks.append(try IPNetwork(parsing: entry))
        }
        matchesAny = any
        self.networks = networks
    }

    /// True when `address` (text, as the peer's address is kept) is in a range.
    /// Text that is not an address matches only `*`.
    public func contains<S: StringProtocol>(_ address: S) -> Bool {
        if matchesAny { return true }
        guard let parsed = IPAddress(address) else { return false }
        return contains(parsed)
    }

    public func contains(_ address: IPAddress) -> Bool {
        matchesAny || networks.contains { $0.contains(address) }
    }

    /// The problem with the first bad entry of `items`, or nil, for a setting's `check`.
    @Sendable public static func problem(in items: [String]) -> String? {
        do throws(IPNetworkError) { _ = try AddressMatcher(parsing: items); return nil } catch { return error.description }
    }
}
