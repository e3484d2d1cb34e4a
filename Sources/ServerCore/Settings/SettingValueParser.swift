/// The syntax of the built-in value types (`SettingValueType` conformances call these).
/// The same rules apply to the config file, the environment and the command
/// line, so a value that works in one place works in all of them.
enum SettingValueParser {
    /// Parses `text` as the type of `spec` and checks its bounds and rule.
    static func parse(_ text: String, for spec: SettingSpec) throws(ValueProblem) -> SettingValue {
        try spec.parse(text)
    }

    /// One of `words`, in any case; the declared spelling comes back, so code compares one form.
    static func choice(_ text: String, among words: [String]) throws(ValueProblem) -> String {
        guard let word = words.first(where: { $0.lowercased() == text.lowercased() }) else {
            throw .invalid(expected: "one of " + words.joined(separator: ", "))
        }
        return word
    }

    static func parseInt(_ text: String) throws(ValueProblem) -> Int {
        var digits = Substring(text)
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        // Int.init would also accept forms we do not want to promise (and may
        // grow more); insist on plain ASCII digits.
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), let value = Int(text) else {
            throw .invalid(expected: "an integer")
        }
        return value
    }

    static func parseBool(_ text: String) throws(ValueProblem) -> Bool {
        switch text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw .invalid(expected: "a boolean (true/false, yes/no, on/off, 1/0)")
        }
    }

    private static let durationUnits: [String: Int64] = ["": 1, "s": 1, "m": 60, "h": 3600, "d": 86400]

    /// The decimal is taken exactly, to the attosecond, so `0.1` is a tenth
    /// of a second and printing gives back the same text.
    static func parseDuration(_ text: String) throws(ValueProblem) -> Duration {
        let expected = ValueProblem.invalid(expected: "a duration such as 30, 2.5, 500ms, 30s, 1m, 1h or 1d")
        let lower = text.lowercased()
        let number = lower.prefix { $0.isASCIIDigit || $0 == "." }
        let unit = lower.dropFirst(number.count).trimmingWhitespace()
        guard isDecimal(number) else { throw expected }
        let seconds = exactSeconds(number)
        if unit == "ms" { return seconds / 1000 }
        guard let scale = durationUnits[unit] else { throw expected }
        // Far beyond any bound: saturate rather than trap, and let the bounds say so.
        guard seconds < .seconds(Int64.max / 86400 / 2) else { return .seconds(Int64.max / 2) }
        return seconds * scale
    }

    /// `digits` or `digits.digits` as a duration in seconds; digits past the
    /// attosecond are dropped, and a whole part too large for `Int64` saturates.
    private static func exactSeconds(_ number: Substring) -> Duration {
        let parts = number.split(separator: ".", omittingEmptySubsequences: false)
        guard let whole = Int64(parts[0]) else { return .seconds(Int64.max / 2) }
        var attoseconds: Int64 = 0
        if parts.count == 2 {
            let digits = parts[1].prefix(18)
            attoseconds = Int64(digits + String(repeating: "0", count: 18 - digits.count)) ?? 0
        }
        return Duration(secondsComponent: whole, attosecondsComponent: attoseconds)
    }

    /// `digits` or `digits.digits`: no sign, no exponent, no bare point.
    private static func isDecimal(_ text: Substring) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return (1...2).contains(parts.count) && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }
    }

    private static let byteUnits: [String: Int] = [
        "": 1, "b": 1,
        "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10,
        "m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20,
        "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30,
        "t": 1 << 40, "tb": 1 << 40, "tib": 1 << 40,
    ]

    static func parseBytes(_ text: String) throws(ValueProblem) -> Int {
        let expected = ValueProblem.invalid(expected: "a size in bytes such as 512, 64k, 1m or 2GiB")
        let lower = text.lowercased()
        let number = lower.prefix(while: \.isASCIIDigit)
        let unit = lower.dropFirst(number.count).trimmingWhitespace()
        guard !number.isEmpty, let value = Int(number), let scale = byteUnits[unit] else { throw expected }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: scale)
        guard !overflow else { throw expected }
        return bytes
    }

    /// A string value: if the whole text is in double quotes, the quotes go and
    /// `\"` and `\\` are unescaped (so leading spaces or a lone `"` can be written);
    /// otherwise the text is taken as it is.
    static func unquote(_ text: String) -> String {
        guard text.count >= 2, text.first == "\"", text.last == "\"" else { return text }
        var result = ""
        var escaping = false
        for c in text.dropFirst().dropLast() {
            if escaping {
                if c != "\"" && c != "\\" { result.append("\\") }
                result.append(c)
                escaping = false
            } else if c == "\\" {
                escaping = true
            } else {
                result.append(c)
            }
        }
        if escaping { result.append("\\") }
        return result
    }

    /// Splits a list at commas outside double quotes; each item is trimmed and
    /// unquoted. Empty unquoted items are dropped, so `""` is the empty list
    /// and a trailing comma is harmless.
    static func splitList(_ text: String) -> [String] {
        var items: [String] = []
        var current = ""
        var inQuotes = false
        var escaping = false
        func finish() {
            let item = current.trimmingWhitespace()
            if !item.isEmpty { items.append(unquote(item)) }
            current = ""
        }
        for c in text {
            if escaping {
                escaping = false
            } else if inQuotes && c == "\\" {
                escaping = true
            } else if c == "\"" {
                inQuotes.toggle()
            } else if c == "," && !inQuotes {
                finish()
                continue
            }
            current.append(c)
        }
        finish()
        return items
    }

    /// Values are written one per line in a config file, so a line break
    /// (possible from the environment or the command line) could never be
    /// written back; refuse it where it enters.
    static func singleLine(_ text: String) throws(ValueProblem) -> String {
        guard !text.contains(where: \.isNewline) else { throw .invalid(expected: "a single line of text") }
        return text
    }
}
