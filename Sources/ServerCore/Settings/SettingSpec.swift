/// The type of a setting's value, which decides how text is parsed.
public enum SettingType: Sendable, Equatable {
    case int
    case bool
    case string
    /// Comma-separated or repeated; each occurrence appends.
    case stringList
    /// Seconds, as a decimal number with an optional unit (`ms`, `s`, `m`, `h`, `d`).
    case duration
    /// Bytes, with an optional unit (`k`/`KiB`, `m`/`MiB`, `g`/`GiB`).
    case bytes
    /// One of a fixed set of words.
    case choice([String])
}

/// A setting's value after parsing.
public enum SettingValue: Sendable, Hashable {
    case int(Int)
    case bool(Bool)
    case string(String)
    case list([String])
    case seconds(Double)
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

/// The single declaration of one setting: everything the parser, `--help`,
/// `--print-config`, `docs/settings.md` and the sample `server.conf` need.
public struct SettingSpec: Sendable {
    public let key: String
    public let type: SettingType
    public let defaultValue: SettingValue
    /// How docs show the default when it depends on the machine ("2 x usable CPUs + 1").
    public let defaultDescription: String?
    /// Inclusive numeric bounds for int, duration and bytes settings.
    public let minimum: Double?
    public let maximum: Double?
    /// Command-line flags, long first (`--workers`, `-w`). Empty: no flag.
    public let flags: [String]
    public let section: String
    public let reload: ReloadPolicy
    public let summary: String
    public let doc: String
    /// True for secrets: `--print-config` and logs show `<redacted>`.
    public let secret: Bool
    /// A rule beyond type and bounds (an access log format that compiles):
    /// returns what is wrong, or nil. Runs wherever a value is parsed, so a
    /// bad value fails `--check-config` and a HUP instead of a worker.
    public let check: (@Sendable (SettingValue) -> String?)?
    /// Variables a Flask or gunicorn deployment already sets (`DATABASE_URL`,
    /// `WEB_CONCURRENCY`), read below `PADDOCK_<KEY>`; the first one set wins.
    public let aliases: [EnvironmentAlias]

    public init(key: String, type: SettingType, default defaultValue: SettingValue, defaultDescription: String? = nil,
                min: Double? = nil, max: Double? = nil, flags: [String] = [], section: String,
                reload: ReloadPolicy, summary: String, doc: String = "", secret: Bool = false,
                aliases: [EnvironmentAlias] = [],
                check: (@Sendable (SettingValue) -> String?)? = nil) {
        self.key = key
        self.type = type
        self.defaultValue = defaultValue
        self.defaultDescription = defaultDescription
        self.minimum = min
        self.maximum = max
        self.flags = flags
        self.section = section
        self.reload = reload
        self.summary = summary
        self.doc = doc
        self.secret = secret
        self.check = check
        self.aliases = aliases
    }

    /// The environment variable: `PADDOCK_` + the key in upper case.
    public var environmentVariable: String { "PADDOCK_" + key.uppercased() }

    /// Every variable that sets this setting, strongest first: `PADDOCK_<KEY>`, then the aliases.
    public var environmentVariables: [String] { [environmentVariable] + aliases.map(\.name) }
}

/// A typed handle on a declared setting: `config[Settings.workers]` is an `Int`.
public struct Setting<Value>: Sendable {
    public let spec: SettingSpec
    let extract: @Sendable (SettingValue) -> Value

    public var key: String { spec.key }
}

extension Setting where Value == Int {
    public init(_ spec: SettingSpec) {
        self.spec = spec
        extract = { if case .int(let v) = $0 { return v }; preconditionFailure("setting \(spec.key) is not an int") }
    }
}

extension Setting where Value == Bool {
    public init(_ spec: SettingSpec) {
        self.spec = spec
        extract = { if case .bool(let v) = $0 { return v }; preconditionFailure("setting \(spec.key) is not a bool") }
    }
}

extension Setting where Value == String {
    public init(_ spec: SettingSpec) {
        self.spec = spec
        extract = { if case .string(let v) = $0 { return v }; preconditionFailure("setting \(spec.key) is not a string") }
    }
}

extension Setting where Value == [String] {
    public init(_ spec: SettingSpec) {
        self.spec = spec
        extract = { if case .list(let v) = $0 { return v }; preconditionFailure("setting \(spec.key) is not a list") }
    }
}

extension Setting where Value == Double {
    /// Durations, in seconds.
    public init(_ spec: SettingSpec) {
        self.spec = spec
        extract = { if case .seconds(let v) = $0 { return v }; preconditionFailure("setting \(spec.key) is not a duration") }
    }
}
