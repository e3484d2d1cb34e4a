/// `loglevel` takes the level names exactly (any case); Python's aliases
/// (`WARN`, `FATAL`) are the `LOG_LEVEL` variable's translation, not the setting's.
extension LogLevel: SettingValueType, CaseIterable {
    public static var allCases: [LogLevel] { [.debug, .info, .warning, .error, .critical] }
    public static var settingType: SettingType { .choice(allCases.map(\.description)) }
    public static func parse(_ text: String) throws(ValueProblem) -> LogLevel {
        let word = try SettingValueParser.choice(text.trimmingWhitespace(), among: allCases.map(\.description))
        return LogLevel(name: word)!
    }
    public var settingText: String { description }
}
