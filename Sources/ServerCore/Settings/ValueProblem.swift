/// Why a setting's text was rejected. The parser knows only the text and the
/// declaration; the loader prefixes where the text came from.
public enum ValueProblem: Error, Sendable, Equatable {
    /// Not of the setting's type; `expected` says what would have been accepted.
    case invalid(expected: String)
    /// Parsed, but below `SettingSpec.minimum` (the bound as it is written in docs).
    case belowMinimum(String)
    /// Parsed, but above `SettingSpec.maximum`.
    case aboveMaximum(String)
    /// Of the right type, but refused by the setting's own `SettingSpec.check`.
    case rejected(String)

    /// The message without its source: `invalid value "abc" for workers: expected an integer`.
    func message(key: String, text: String) -> String {
        switch self {
        case .invalid(let expected):
            return "invalid value \(String(reflecting: text)) for \(key): expected \(expected)"
        case .belowMinimum(let bound):
            return "\(key) = \(text) is below the minimum \(bound)"
        case .aboveMaximum(let bound):
            return "\(key) = \(text) is above the maximum \(bound)"
        case .rejected(let problem):
            return "invalid value \(String(reflecting: text)) for \(key): \(problem)"
        }
    }
}
