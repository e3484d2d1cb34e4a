/// An IPv4 or IPv6 address as one 128-bit number, IPv4 in its IPv4-mapped
/// IPv6 form (`::ffff:a.b.c.d`), so an IPv4 peer seen by a dual-stack socket
/// and the same peer seen by an IPv4 socket are one address.
///
/// Parsed from text in Swift over the UTF-8 bytes: no allocation, so the
/// peer of every request can be checked against `AddressMatcher` for free.
/// Accepts what `inet_pton(3)` accepts: dotted quads without leading zeros,
/// and IPv6 with at most one `::` and an optional dotted-quad tail; no zone
/// (`%eth0`), no brackets, no port.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address, most significant bit first.
    public let bits: UInt128

    /// The prefix of every IPv4-mapped address, `::ffff:0:0/96`.
    static let mappedPrefix: UInt128 = 0xffff << 32

    public init(bits: UInt128) { self.bits = bits }

    /// True for an IPv4 address (IPv4-mapped).
    public var isIPv4: Bool { bits >> 32 == IPAddress.mappedPrefix >> 32 }

    /// Parses `text`; nil when it is not an address.
    public init?<S: StringProtocol>(_ text: S) {
        var text = text
        guard let bits = text.withUTF8Bytes(IPAddress.parse) else { return nil }
        self.bits = bits
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt128? {
        if bytes.contains(UInt8(ascii: ":")) { return parseIPv6(bytes[...]) }
        return parseIPv4(bytes[...]).map { mappedPrefix | UInt128($0) }
    }

    /// `a.b.c.d`, each part 0-255 in decimal without a leading zero.
    static func parseIPv4(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> UInt32? {
        var value: UInt32 = 0
        var parts = 0
        var part: UInt32 = 0
        var digits = 0
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, parts < 3 else { return nil }
                value = value << 8 | part
                parts += 1
                part = 0
                digits = 0
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            if digits > 0 && part == 0 { return nil }
            part = part * 10 + UInt32(byte - UInt8(ascii: "0"))
            digits += 1
            guard part <= 255 else { return nil }
        }
        guard digits > 0, parts == 3 else { return nil }
        return value << 8 | part
    }

    /// Up to eight groups of 1 to 4 hex digits, `::` once for a run of zero
    /// groups, the last 32 bits optionally as a dotted quad.
    static func parseIPv6(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> UInt128? {
        var head: UInt128 = 0, headGroups = 0
        var tail: UInt128 = 0, tailGroups = 0
        var sawGap = false
        var index = bytes.startIndex
        let end = bytes.endIndex
        if bytes.starts(with: [UInt8(ascii: ":"), UInt8(ascii: ":")]) {
            sawGap = true
            index += 2
            if index == end { return 0 }
        } else if bytes.first == UInt8(ascii: ":") {
            return nil
        }
        while index < end {
            // One group, or a dotted-quad tail.
            var groupEnd = index
            var group: UInt128 = 0
            while groupEnd < end, groupEnd - index < 5, let digit = hexValue(bytes[groupEnd]) {
                group = group << 4 | UInt128(digit)
                groupEnd += 1
            }
            let groupCount = headGroups + tailGroups
            if groupEnd < end, bytes[groupEnd] == UInt8(ascii: ".") {
                // The rest is an IPv4 address taking two groups.
                guard groupCount <= (sawGap ? 5 : 6), let v4 = parseIPv4(bytes[index..<end]) else { return nil }
                if sawGap { tail = tail << 32 | UInt128(v4); tailGroups += 2 } else { head = head << 32 | UInt128(v4); headGroups += 2 }
                index = end
                break
            }
            let digits = groupEnd - index
            guard digits >= 1, digits <= 4, groupCount < 8 else { return nil }
            if sawGap { tail = tail << 16 | group; tailGroups += 1 } else { head = head << 16 | group; headGroups += 1 }
            index = groupEnd
            guard index < end else { break }
            guard bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            if index < end, bytes[index] == UInt8(ascii: ":") {
                guard !sawGap else { return nil }
                sawGap = true
                index += 1
                if index == end { break }
            } else if index == end {
                return nil  // a trailing single colon
            }
        }
        let groups = headGroups + tailGroups
        if sawGap {
            guard groups <= 7 else { return nil }
            return (headGroups == 0 ? 0 : head << UInt128(16 * (8 - headGroups))) | tail
        }
        guard groups == 8 else { return nil }
        return head
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Dotted quad for IPv4, otherwise eight hex groups (not compressed: for
    /// messages only).
    public var description: String {
        if isIPv4 {
            let v4 = UInt32(truncatingIfNeeded: bits)
            return "\(v4 >> 24).\(v4 >> 16 & 0xff).\(v4 >> 8 & 0xff).\(v4 & 0xff)"
        }
        return (0..<8).map { String(UInt16(truncatingIfNeeded: bits >> UInt128(16 * (7 - $0))), radix: 16) }.joined(separator: ":")
    }
}

extension StringProtocol {
    /// Calls `body` with the UTF-8 bytes; contiguous strings (every native
    /// one) are read in place, without a copy.
    mutating func withUTF8Bytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = String(self)
        return copy.withUTF8(body)
    }
}
