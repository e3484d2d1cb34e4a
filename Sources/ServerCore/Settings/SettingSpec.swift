/// The syntax of a setting's value, as docs and `--help` name it; each
/// `SettingValueType` says which it is.
public enum SettingType: Sendable, Equatable {
    case int
    case bool
    case string
    /// Comma-separated or repeated; each occurrence appends.
    case stringList
    /// A `Duration`: seconds, as a decimal number with an optional unit (`ms`, `s`, `m`, `h`, `d`).
    case duration
    /// Bytes, with an optional unit (`k`/`KiB`, `m`/`MiB`, `g`/`GiB`).
    case bytes
    /// One of a fixed set of words.
    case choice([String])
}

/// When a changed value takes effect on `HUP`.
public enum ReloadPolicy: String, Sendable {
    /// Applied by the master at once.
    case live
    /// Applied by workers spawned after the reload (all of them, by the rollout).
    case nextWorkers = "next-workers"
    /// Needs a restart (or `USR2`); a HUP that changes it logs a warning and keeps the old value.
    case restart
}

/// One row of the settings table: a `Setting<Value>` with its value type
/// erased, so the loader, `--help`, `--print-config` and the docs can walk
/// every setting alike. Declare settings as `Setting<Value>` (see `Setting`);
/// this is their `spec`.
public struct SettingSpec: Sendable {
    public let key: String
    public let type: SettingType
    public let defaultValue: SettingValue
    /// How docs show the default when it depends on the machine ("2 x usable CPUs + 1").
    public let defaultDescription: String?
    /// Inclusive bounds, of the setting's own type; nil: unbounded.
    public let minimum: SettingValue?
    public let maximum: SettingValue?
    /// Command-line flags, long first (`--workers`, `-w`). Empty: no flag.
    public let flags: [String]
    public let section: String
    public let reload: ReloadPolicy
    public let summary: String
    public let doc: String
    /// True for secrets: `--print-config` and logs show `<redacted>`.
    public let secret: Bool
    /// Variables a Flask or gunicorn deployment already sets (`DATABASE_URL`,
    /// `WEB_CONCURRENCY`), read below `PADDOCK_<KEY>`; the first one set wins.
    public let aliases: [EnvironmentAlias]
    /// Text to value, with the type's syntax, the bounds and the setting's
    /// own rule (an access log format that compiles). Runs wherever a value
    /// is parsed, so a bad value fails `--check-config` and a HUP instead of a worker.
    private let parser: @Sendable (String) throws(ValueProblem) -> SettingValue

    init(key: String, type: SettingType, default defaultValue: SettingValue, defaultDescription: String?,
         minimum: SettingValue?, maximum: SettingValue?, flags: [String], section: String,
         reload: ReloadPolicy, summary: String, doc: String, secret: Bool, aliases: [EnvironmentAlias],
         parse: @escaping @Sendable (String) throws(ValueProblem) -> SettingValue) {
        self.key = key
        self.type = type
        self.defaultValue = defaultValue
        self.defaultDescription = defaultDescription
        self.minimum = minimum
        self.maximum = maximum
        self.flags = flags
        self.section = section
        self.reload = reload
        self.summary = summary
        self.doc = doc
        self.secret = secret
        self.aliases = aliases
        self.parser = parse
    }

    /// Parses `text` as this setting's value and checks it. Lists come back
    /// whole; whether they replace or append is the caller's concern.
    public func parse(_ text: String) throws(ValueProblem) -> SettingValue { try parser(text) }

    /// The environment variable: `PADDOCK_` + the key in upper case.
    public var environmentVariable: String { "PADDOCK_" + key.uppercased() }

    /// Every variable that sets this setting, strongest first: `PADDOCK_<KEY>`, then the aliases.
    public var environmentVariables: [String] { [environmentVariable] + aliases.map(\.name) }
}
