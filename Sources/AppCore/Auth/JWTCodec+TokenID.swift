import Paddock

extension JWTCodec {
    /// A time-ordered UUID (RFC 9562 version 7, sub-millisecond precision by
    /// its method 3) for the `jti` claim: 48 bits of Unix milliseconds, 12
    /// bits of the fraction of that millisecond in 1/4096 steps, 62 random
    /// bits. flask-jwt-extended treats the `jti` as opaque text, so the
    /// Flask application accepts these like its own uuid4 ones.
    static func uuid7(microseconds: Int) -> String {
        let (ms, us) = max(0, microseconds).quotientAndRemainder(dividingBy: 1000)
        // Rounded up, so `uuid7Microseconds` (which rounds down) returns the same microsecond.
        let fraction = (us * 4096 + 999) / 1000
        var b = Digest.randomBytes(16)
        for i in 0..<6 { b[i] = UInt8(truncatingIfNeeded: UInt64(ms) >> (8 * (5 - i))) }
        b[6] = 0x70 | UInt8(fraction >> 8)
        b[7] = UInt8(fraction & 0xFF)
        b[8] = b[8] & 0x3F | 0x80
        return uuidText(b)
    }

    /// The microsecond a `uuid7(microseconds:)` text names; nil for any
    /// other text (the uuid4 of flask-jwt-extended's tokens, say).
    static func uuid7Microseconds(_ text: String) -> Int? {
        let u = Array(text.utf8)
        guard u.count == 36, u[8] == UInt8(ascii: "-"), u[13] == UInt8(ascii: "-"), u[18] == UInt8(ascii: "-"),
              u[23] == UInt8(ascii: "-"), u[14] == UInt8(ascii: "7"), "89ab".utf8.contains(u[19]) else { return nil }
        var ms = 0, fraction = 0
        for (i, c) in u.enumerated() where i != 8 && i != 13 && i != 18 && i != 23 {
            guard let v = hexValue(c) else { return nil }
            if i < 13 { ms = ms << 4 | v } else if i > 14 && i < 18 { fraction = fraction << 4 | v }
        }
        return ms * 1000 + fraction * 1000 / 4096
    }

    private static func hexValue(_ c: UInt8) -> Int? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(c - UInt8(ascii: "a")) + 10
        default: return nil
        }
    }
}
