/// A type a setting can hold. The type, not the declaration, decides how
/// text from the config file, the environment or the command line becomes a
/// value and how a value is written back, so every setting of one type
/// accepts the same syntax everywhere.
///
/// `format` must give text that `parse` reads back to an equal value: the
/// master hands workers its configuration as text.
public protocol SettingValueType: Sendable, Hashable {
    /// The syntax, as docs and `--help` name it (and `bool` for `--no-` flags).
    static var settingType: SettingType { get }
    /// The value `text` denotes; `text` is not trimmed yet.
    static func parse(_ text: String) throws(ValueProblem) -> Self
    /// The value as it would follow `key =` in a config file.
    var settingText: String { get }
}

extension Int: SettingValueType {
    public static var settingType: SettingType { .int }
    public static func parse(_ text: String) throws(ValueProblem) -> Int {
        try SettingValueParser.parseInt(text.trimmingWhitespace())
    }
    public var settingText: String { String(self) }
}

extension Bool: SettingValueType {
    public static var settingType: SettingType { .bool }
    public static func parse(_ text: String) throws(ValueProblem) -> Bool {
        try SettingValueParser.parseBool(text.trimmingWhitespace())
    }
    public var settingText: String { self ? "true" : "false" }
}

extension String: SettingValueType {
    public static var settingType: SettingType { .string }
    public static func parse(_ text: String) throws(ValueProblem) -> String {
        try SettingValueParser.singleLine(SettingValueParser.unquote(text.trimmingWhitespace()))
    }
    public var settingText: String { SettingFormatter.quoteIfNeeded(self, forList: false) }
}

/// Lists of strings: comma-separated, or one item per repeated key.
extension Array: SettingValueType where Element == String {
    public static var settingType: SettingType { .stringList }
    public static func parse(_ text: String) throws(ValueProblem) -> [String] {
        try SettingValueParser.splitList(text.trimmingWhitespace()).map { item throws(ValueProblem) in
            try SettingValueParser.singleLine(item)
        }
    }
    /// Joined with commas on one line (for docs); `serialized()` writes one line per item.
    public var settingText: String { map { SettingFormatter.quoteIfNeeded($0, forList: true) }.joined(separator: ", ") }
}

/// Durations: a decimal number of seconds with an optional unit (`500ms`,
/// `30s`, `2m`, `1.5h`, `1d`), held exactly (no binary floating point).
extension Duration: SettingValueType {
    public static var settingType: SettingType { .duration }
    public static func parse(_ text: String) throws(ValueProblem) -> Duration {
        try SettingValueParser.parseDuration(text.trimmingWhitespace())
    }
    public var settingText: String { SettingFormatter.duration(self) }
}
