/// Writes values back as config-file text. Everything it writes, the parser
/// reads back to the same value, which is what lets the master hand workers a
/// serialized configuration.
enum SettingFormatter {
    /// The largest whole unit (`1h`, `2m`), else whole seconds (`30s`), else
    /// exact decimal seconds (`2.5s`, `0.001s`), so parsing gives back the same duration.
    static func duration(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if seconds == 0 && attoseconds == 0 { return "0" }
        if attoseconds == 0 {
            for (unit, size) in [("d", Int64(86400)), ("h", 3600), ("m", 60)] where seconds % size == 0 {
                return "\(seconds / size)\(unit)"
            }
            return "\(seconds)s"
        }
        // Non-negative by construction (the parser has no sign), so the components are too.
        var fraction = String(attoseconds)
        fraction = String(repeating: "0", count: 18 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(seconds).\(fraction)s"
    }

    /// The largest binary unit that divides exactly (`1MiB`), else plain bytes.
    static func bytes(_ n: Int) -> String {
        if n == 0 { return "0" }
        for (unit, shift) in [("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)] where n % (1 << shift) == 0 {
            return "\(n >> shift)\(unit)"
        }
        return String(n)
    }

    /// Swift's shortest round-tripping digits, but without an exponent
    /// (`1e-05` becomes `0.00001`), since the duration syntax has none (gunicorn config floats).
    static func plainDecimal(_ value: Double) -> String {
        var text = "\(value)"
        if text.hasSuffix(".0") { text.removeLast(2) }
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }), let exponent = Int(text[text.index(after: e)...]) else {
            return text
        }
        var mantissa = String(text[..<e])
        let negative = mantissa.hasPrefix("-")
        if negative { mantissa.removeFirst() }
        let point = mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count
        let digits = mantissa.filter { $0 != "." }
        let newPoint = point + exponent
        var result: String
        if newPoint <= 0 {
            result = "0." + String(repeating: "0", count: -newPoint) + digits
        } else if newPoint >= digits.count {
            result = digits + String(repeating: "0", count: newPoint - digits.count)
        } else {
            let index = digits.index(digits.startIndex, offsetBy: newPoint)
            result = digits[..<index] + "." + digits[index...]
        }
        return (negative ? "-" : "") + result
    }

    /// Quotes a string when taking it literally would change it: empty, edge
    /// whitespace, a leading quote, or (in a list) a comma, quote or backslash.
    static func quoteIfNeeded(_ s: String, forList: Bool) -> String {
        let needsQuotes = s.isEmpty || s.first!.isWhitespace || s.last!.isWhitespace || s.first == "\""
            || (forList && s.contains { $0 == "," || $0 == "\"" || $0 == "\\" })
        guard needsQuotes else { return s }
        var quoted = "\""
        for c in s {
            if c == "\"" || c == "\\" { quoted.append("\\") }
            quoted.append(c)
        }
        return quoted + "\""
    }
}
