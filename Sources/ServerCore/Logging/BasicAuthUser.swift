/// The user name in an `Authorization: Basic` header, for the `u` atom.
/// The password is never kept.
enum BasicAuthUser {
    /// The part before the first `:` of the decoded credentials; nil when the
    /// header is absent, not Basic, or not valid base64.
    static func name(from authorization: String?) -> String? {
        guard let authorization else { return nil }
        let parts = authorization.trimmingWhitespace().split(separator: " ", maxSplits: 1)
        // The scheme is case-insensitive (RFC 9110 11.1).
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let decoded = decodeBase64(parts[1].trimmingWhitespace()) else { return nil }
        let user = decoded.prefix { $0 != UInt8(ascii: ":") }
        return String(decoding: user, as: UTF8.self)
    }

    /// Standard base64 (RFC 4648 section 4) with padding optional.
    static func decodeBase64(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        var padding = 0
        for c in text.utf8 {
            if c == UInt8(ascii: "=") { padding += 1; continue }
            // Data after padding is malformed, not a shorter value.
            guard padding == 0, let v = sextet(c) else { return nil }
            accumulator = (accumulator << 6) | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((accumulator >> UInt32(bits)) & 0xFF))
            }
        }
        // 6 leftover bits cannot end a valid encoding; padding is at most two.
        return bits < 6 && padding <= 2 ? out : nil
    }

    private static func sextet(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return c - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return c - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }
}
