/// A range of addresses in CIDR form: `10.0.0.0/8`, `fd00::/8`, or one
/// address (`127.0.0.1` is `127.0.0.1/32`, `::1` is `::1/128`).
///
/// IPv4 ranges are kept as IPv4-mapped IPv6 ranges (`/8` is `/104`), so one
/// mask-and-compare serves both families and a mapped peer matches them.
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    /// The first address of the range.
    public let network: UInt128
    /// Ones over the prefix.
    public let mask: UInt128
    /// The prefix length as written (`8` in `10.0.0.0/8`).
    public let prefixLength: Int
    public let isIPv4: Bool

    /// Parses `address` or `address/prefix`. A range whose address has bits
    /// set past the prefix (`10.0.0.1/8`) is refused, as Python's
    /// `ipaddress.ip_network` does: it is usually a typo for something else.
    public init(parsing text: String) throws(IPNetworkError) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { throw IPNetworkError(text: text, problem: "not an IP address or range") }
        // `::ffff:10.0.0.0/104` is written as IPv6, so its prefix counts all 128 bits.
        isIPv4 = address.isIPv4 && !parts[0].contains(":")
        let width = isIPv4 ? 32 : 128
        if parts.count == 2 {
            // Digits only: Int() alone would take "+8".
            guard parts[1].utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
                  let length = Int(parts[1]), (0...width).contains(length) else {
                throw IPNetworkError(text: text, problem: "the prefix length must be 0 to \(width)")
            }
            prefixLength = length
        } else {
            prefixLength = width
        }
        let length = prefixLength + (isIPv4 ? 96 : 0)
        mask = length == 0 ? 0 : ~UInt128(0) << UInt128(128 - length)
        guard address.bits & ~mask == 0 else {
            let suggestion = IPAddress(bits: address.bits & mask)
            throw IPNetworkError(text: text, problem: "host bits are set (the network is \(suggestion)/\(prefixLength))")
        }
        network = address.bits
    }

    /// True when `address` is in the range.
    public func contains(_ address: IPAddress) -> Bool { address.bits & mask == network }

    public var description: String { "\(IPAddress(bits: network))/\(prefixLength)" }
}

/// Why a `forwarded_allow_ips` entry (or any range) was refused.
public struct IPNetworkError: Error, Sendable, Equatable, CustomStringConvertible {
    public let text: String
    public let problem: String

    public var description: String { "\(String(reflecting: text)): \(problem)" }
}
