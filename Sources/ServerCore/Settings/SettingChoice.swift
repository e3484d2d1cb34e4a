/// A setting that is one of a fixed set of words: an enum whose raw values
/// are the words, in the order docs list them. Conforming is all it takes:
/// `enum Mode: String, SettingChoice { case auto, on, off }`.
/// Any case is accepted; the declared spelling is what is stored and printed.
public protocol SettingChoice: SettingValueType, RawRepresentable<String>, CaseIterable {}

extension SettingChoice {
    public static var settingType: SettingType { .choice(allCases.map(\.rawValue)) }
    public static func parse(_ text: String) throws(ValueProblem) -> Self {
        let words = allCases.map(\.rawValue)
        let word = try SettingValueParser.choice(text.trimmingWhitespace(), among: words)
        return Self(rawValue: word)!
    }
    public var settingText: String { rawValue }
}

extension PostgresStatementMode: SettingChoice {}
extension LogFormat: SettingChoice {}
