import ServerCore

/// The PROXY protocol header (HAProxy's `send-proxy` / `send-proxy-v2`, AWS
/// NLB) that a proxy sends before the client's bytes: versions 1 (text) and
/// 2 (binary). Pure: bytes in, a verdict out.
///
/// The specification forbids guessing: a listener that expects the header
/// takes the first bytes as the header, and anything else ends the
/// connection. `UNKNOWN` (v1) and `LOCAL` (v2, the proxy's own health
/// checks) carry no client: the connection's own peer stands.
enum ProxyProtocolHeader {
    /// v1's longest line, CRLF included (the specification's bound).
    static let maxV1Length = 107
    /// v2's header before its address block.
    static let v2FixedLength = 16
    /// The largest v2 address block accepted: the addresses plus TLVs
    /// (SSL details, unique ids); HAProxy's are well below this.
    static let maxV2AddressLength = 1024
    static let v2Signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]
    private static let v1Prefix = Array("PROXY ".utf8)

    enum Outcome: Equatable {
        /// Not enough bytes yet to decide.
        case needMore
        /// A valid header of `length` bytes; `client` is the source address,
        /// nil when the header names none (UNKNOWN, LOCAL, AF_UNSPEC, AF_UNIX).
        case header(length: Int, client: String?)
        case invalid(String)
    }

    static func parse(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        guard let first = bytes.first else { return .needMore }
        if first == v2Signature[0] { return parseV2(bytes) }
        if first == v1Prefix[0] { return parseV1(bytes) }
        return .invalid("no PROXY protocol header")
    }

    static func parse(_ bytes: [UInt8]) -> Outcome {
        bytes.withUnsafeBytes { parse($0) }
    }

    // MARK: - Version 1: "PROXY TCP4 192.0.2.1 198.51.100.1 56324 443\r\n"

    private static func parseV1(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        let prefix = min(bytes.count, v1Prefix.count)
        for i in 0..<prefix where bytes[i] != v1Prefix[i] { return .invalid("no PROXY protocol header") }
        var lf: Int?
        for i in 0..<min(bytes.count, maxV1Length) where bytes[i] == 0x0A { lf = i; break }
        guard let lf else {
            return bytes.count >= maxV1Length ? .invalid("PROXY line longer than \(maxV1Length) bytes") : .needMore
        }
        guard lf > 0, bytes[lf - 1] == 0x0D else { return .invalid("PROXY line does not end in CRLF") }
        var text = ""
        for i in v1Prefix.count..<(lf - 1) {
            let b = bytes[i]
            guard b >= 0x20, b < 0x7F else { return .invalid("PROXY line has a byte that is not printable ASCII") }
            text.unicodeScalars.append(Unicode.Scalar(b))
        }
        let fields = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard let family = fields.first else { return .invalid("PROXY line names no protocol") }
        if family == "UNKNOWN" { return .header(length: lf + 1, client: nil) }
        guard family == "TCP4" || family == "TCP6" else { return .invalid("PROXY protocol \(family) is not TCP4, TCP6 or UNKNOWN") }
        guard fields.count == 5 else { return .invalid("PROXY \(family) line needs two addresses and two ports") }
        let v6 = family == "TCP6"
        for address in fields[1...2] where !isAddress(address, v6: v6) {
            return .invalid("PROXY \(family) address \(address) is not an \(v6 ? "IPv6" : "IPv4") address")
        }
        for port in fields[3...4] where !isPort(port) {
            return .invalid("PROXY port \(port) is not a port number")
        }
        return .header(length: lf + 1, client: fields[1])
    }

    /// Decimal 0...65535 without a leading zero (the specification's form).
    private static func isPort(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 5, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              text == "0" || !text.hasPrefix("0"), let n = Int(text) else { return false }
        return n <= 65_535
    }

    private static func isAddress(_ text: String, v6: Bool) -> Bool {
        guard text.contains(":") == v6 else { return false }
        return IPAddress(text) != nil
    }

    // MARK: - Version 2: signature, version and command, family, length, addresses, TLVs

    private static func parseV2(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        let prefix = min(bytes.count, v2Signature.count)
        for i in 0..<prefix where bytes[i] != v2Signature[i] { return .invalid("no PROXY protocol header") }
        guard bytes.count >= v2FixedLength else { return .needMore }
        let versionCommand = bytes[12], familyProtocol = bytes[13]
        guard versionCommand >> 4 == 2 else { return .invalid("PROXY protocol version \(versionCommand >> 4) is not 2") }
        let command = versionCommand & 0x0F
        guard command <= 1 else { return .invalid("PROXY v2 command \(command) is neither LOCAL nor PROXY") }
        let length = Int(bytes[14]) << 8 | Int(bytes[15])
        guard length <= maxV2AddressLength else { return .invalid("PROXY v2 address block of \(length) bytes") }
        let total = v2FixedLength + length
        guard bytes.count >= total else { return .needMore }
        // LOCAL: the proxy speaking for itself; the addresses, if any, are ignored.
        if command == 0 { return .header(length: total, client: nil) }
        let family = familyProtocol >> 4, transport = familyProtocol & 0x0F
        guard transport <= 2 else { return .invalid("PROXY v2 transport \(transport) is unknown") }
        switch family {
        case 0, 3: // AF_UNSPEC, AF_UNIX: no address to report
            return .header(length: total, client: nil)
        case 1:
            guard length >= 12 else { return .invalid("PROXY v2 IPv4 address block of \(length) bytes") }
            let a = (0..<4).map { String(bytes[v2FixedLength + $0]) }
            return .header(length: total, client: a.joined(separator: "."))
        case 2:
            guard length >= 36 else { return .invalid("PROXY v2 IPv6 address block of \(length) bytes") }
            return .header(length: total, client: ipv6Text(bytes, at: v2FixedLength))
        default:
            return .invalid("PROXY v2 address family \(family) is unknown")
        }
    }

    /// RFC 5952 text of 16 bytes: lower case, the longest run of two or more
    /// zero groups as `::`, an IPv4-mapped address in dotted form.
    static func ipv6Text(_ bytes: UnsafeRawBufferPointer, at start: Int) -> String {
        let groups = (0..<8).map { Int(bytes[start + 2 * $0]) << 8 | Int(bytes[start + 2 * $0 + 1]) }
        if groups[0..<5].allSatisfy({ $0 == 0 }) && groups[5] == 0xFFFF {
            return "::ffff:" + (12..<16).map { String(bytes[start + $0]) }.joined(separator: ".")
        }
        var bestStart = -1, bestLength = 0, runStart = -1
        for i in 0...8 {
            if i < 8 && groups[i] == 0 {
                if runStart < 0 { runStart = i }
            } else if runStart >= 0 {
                if i - runStart > bestLength { bestStart = runStart; bestLength = i - runStart }
                runStart = -1
            }
        }
        func hex(_ range: Range<Int>) -> String { range.map { String(groups[$0], radix: 16) }.joined(separator: ":") }
        guard bestLength >= 2 else { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }
}
