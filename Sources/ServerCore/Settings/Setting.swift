/// A setting, declared once in the table (`Settings+<Section>.swift`): its
/// value type decides parsing and printing, the rest is what `--help`,
/// `--print-config`, `docs/settings.md` and the sample `server.conf` show.
///
///     public static let keepalive = Setting<Duration>(
///         key: "keepalive", default: .seconds(65), min: .zero, max: .seconds(3600),
///         flags: ["--keep-alive"], section: httpSection, reload: .nextWorkers,
///         summary: "How long an idle keep-alive connection stays open.",
///         doc: "Longer text for docs/settings.md.")
///
/// and it is read typed: `config[Settings.keepalive]` is a `Duration`.
/// The value types are those conforming to `SettingValueType`: `Int`,
/// `Bool`, `String`, `[String]` (lists), `Duration`, `ByteCount` (sizes),
/// and any `enum X: String, SettingChoice` (one of a fixed set of words).
/// Bounds (`min`, `max`) are values of the same type; `check` is a rule
/// beyond them (returns what is wrong, or nil). Every declaration is also
/// listed in its section's array (`http: [SettingSpec] = [keepalive.spec, ...]`).
///
/// An application declares its settings the same way and passes their
/// `spec`s to `PaddockMain.run(settings:)`.
public struct Setting<Value: SettingValueType>: Sendable {
    /// The declaration with the type erased, for the table.
    public let spec: SettingSpec
    /// The value when nothing sets it.
    public let defaultValue: Value

    public var key: String { spec.key }

    /// Parses `text` as this setting's value, checking bounds and `check`.
    public func parse(_ text: String) throws(ValueProblem) -> Value {
        // The spec's parser made the value; it is of this setting's type.
        try spec.parse(text).get(Value.self)!
    }

    /// A setting whose value has no order (a boolean, a list).
    public init(key: String, default defaultValue: Value, defaultDescription: String? = nil,
                flags: [String] = [], section: String, reload: ReloadPolicy, summary: String, doc: String = "",
                secret: Bool = false, aliases: [EnvironmentAlias] = [], check: (@Sendable (Value) -> String?)? = nil) {
        self.defaultValue = defaultValue
        spec = SettingSpec(key: key, type: Value.settingType, default: SettingValue(defaultValue),
                           defaultDescription: defaultDescription, minimum: nil, maximum: nil, flags: flags,
                           section: section, reload: reload, summary: summary, doc: doc, secret: secret, aliases: aliases,
                           parse: Self.parser(key: key, check: check) { _ throws(ValueProblem) in })
    }

    private static func parser(key: String, check: (@Sendable (Value) -> String?)?,
                                         bounds: @escaping @Sendable (Value) throws(ValueProblem) -> Void)
        -> @Sendable (String) throws(ValueProblem) -> SettingValue {
        return { text throws(ValueProblem) in
            let value = try Value.parse(text)
            try bounds(value)
            // After type and bounds: a setting's own rule sees a value it can rely on.
            if let check, let problem = check(value) { throw .rejected(problem) }
            return SettingValue(value)
        }
    }
}

extension Setting where Value: Comparable {
    /// A number, a duration or a size, with inclusive bounds of its own type.
    public init(key: String, default defaultValue: Value, defaultDescription: String? = nil, min: Value? = nil, max: Value? = nil,
                flags: [String] = [], section: String, reload: ReloadPolicy, summary: String, doc: String = "",
                secret: Bool = false, aliases: [EnvironmentAlias] = [], check: (@Sendable (Value) -> String?)? = nil) {
        self.defaultValue = defaultValue
        spec = SettingSpec(key: key, type: Value.settingType, default: SettingValue(defaultValue),
                           defaultDescription: defaultDescription, minimum: min.map { SettingValue($0) },
                           maximum: max.map { SettingValue($0) }, flags: flags,
                           section: section, reload: reload, summary: summary, doc: doc, secret: secret, aliases: aliases,
                           parse: Self.parser(key: key, check: check) { value throws(ValueProblem) in
                               if let min, value < min { throw .belowMinimum(min.settingText) }
                               if let max, value > max { throw .aboveMaximum(max.settingText) }
                           })
    }
}

extension Setting where Value == String {
    /// One of `choices`, when the words are only known at run time (`app`
    /// among the applications a binary serves); otherwise use a `SettingChoice` enum.
    public init(key: String, choices: [String], default defaultValue: String, flags: [String] = [], section: String,
                reload: ReloadPolicy, summary: String, doc: String = "") {
        self.defaultValue = defaultValue
        spec = SettingSpec(key: key, type: .choice(choices), default: SettingValue(defaultValue),
                           defaultDescription: nil, minimum: nil, maximum: nil, flags: flags,
                           section: section, reload: reload, summary: summary, doc: doc, secret: false, aliases: [],
                           parse: { text throws(ValueProblem) in
                               SettingValue(try SettingValueParser.choice(text.trimmingWhitespace(), among: choices))
                           })
    }
}
