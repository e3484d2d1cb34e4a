extension JSONParser {
    /// Parses a string starting at its opening quote. Strings without
    /// escapes are validated and copied once; escapes go through a buffer.
    mutating func parseString() throws(JSONParseError) -> String {
        let open = index
        index += 1
        let start = index
        var buffer: [UInt8]? = nil
        while true {
            guard index < bytes.count else { throw fail("unterminated string", at: open) }
            let b = bytes[index]
            if b == UInt8(ascii: "\"") { break }
            if b < 0x20 { throw fail("control character in string") }
            if b == UInt8(ascii: "\\") {
                if buffer == nil { buffer = Array(bytes[start..<index]) }
                try parseEscape(into: &buffer!)
                continue
            }
            buffer?.append(b)
            index += 1
        }
        let end = index
        index += 1
        let decoded = buffer.map { String(validating: $0, as: UTF8.self) }
            ?? String(validating: bytes[start..<end], as: UTF8.self)
        guard let text = decoded else { throw fail("invalid UTF-8 in string", at: open) }
        return text
    }

    private mutating func parseEscape(into buffer: inout [UInt8]) throws(JSONParseError) {
        let escapeStart = index
        index += 1
        guard index < bytes.count else { throw fail("unterminated escape", at: escapeStart) }
        let c = bytes[index]
        index += 1
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(c)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try parseHex4(escapeStart: escapeStart)
            appendScalar(try combineSurrogates(unit), to: &buffer)
        default: throw fail("invalid escape", at: escapeStart)
        }
    }

    /// Turns a \u code unit into a scalar, consuming a following low
    /// surrogate escape when `unit` is a high surrogate.
    private mutating func combineSurrogates(_ unit: UInt32) throws(JSONParseError) -> Unicode.Scalar {
        let replacement: Unicode.Scalar = "\u{FFFD}"
        switch unit {
        case 0xD800...0xDBFF:
            // Only consume the next escape if it really is a low surrogate;
            // otherwise it is parsed on its own after the U+FFFD.
            guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"),
                  bytes[index + 1] == UInt8(ascii: "u") else { return replacement }
            let saved = index
            index += 2
            let low = try parseHex4(escapeStart: saved)
            guard (0xDC00...0xDFFF).contains(low) else { index = saved; return replacement }
            return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)) ?? replacement
        case 0xDC00...0xDFFF:
            return replacement
        default:
            return Unicode.Scalar(unit) ?? replacement
        }
    }

    private mutating func parseHex4(escapeStart: Int) throws(JSONParseError) -> UInt32 {
        guard bytes.count - index >= 4 else { throw fail("truncated \\u escape", at: escapeStart) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: throw fail("invalid \\u escape", at: escapeStart)
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private func appendScalar(_ scalar: Unicode.Scalar, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: UTF8.encode(scalar)!)
    }
}
