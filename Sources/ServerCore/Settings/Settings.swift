/// Every setting Paddock has, declared once. Sections live in
/// `Settings+<Section>.swift`; `builtIn` lists them in documentation order.
/// An application adds its own rows with `register(applications:settings:)`.
public enum Settings {
    /// The server's own settings, in the order of the docs and the sample config.
    public static let builtIn: [SettingSpec] = server + workerSettings + http + connections + logging + tls + database + auth

    /// Every setting the running binary knows: the server's, then the
    /// application's. Parsing, `--help`, `--print-config` and the docs all
    /// read this table.
    public static var all: [SettingSpec] { registered }

    /// Finds a declaration by key.
    public static func spec(for key: String) -> SettingSpec? {
        all.first { $0.key == key }
    }

    // Set once, by the entry point before any configuration is read and
    // while the process has one thread (like the signal pipe's fd); read-only after.
    nonisolated(unsafe) private static var registered: [SettingSpec] = builtIn
    nonisolated(unsafe) private static var registeredOnce = false

    /// Adds an application's settings to the table and makes `app` choose
    /// among `applications`. Called once, by `PaddockMain`, first thing.
    public static func register(applications: [String], settings: [SettingSpec]) throws(ConfigError) {
        precondition(!registeredOnce, "Settings.register is called once, before any configuration is read")
        registered = try table(applications: applications, settings: settings)
        registeredOnce = true
    }

    /// The table with an application's settings added: `app` becomes a
    /// choice among `applications` (the first is the default), and a key,
    /// flag or environment variable that is already taken is an error, so
    /// an application cannot shadow a server setting.
    public static func table(applications: [String], settings: [SettingSpec],
                             base: [SettingSpec] = builtIn) throws(ConfigError) -> [SettingSpec] {
        guard let first = applications.first else { throw ConfigError("an application is needed") }
        guard Set(applications).count == applications.count else {
            throw ConfigError("application names must be distinct: \(applications.joined(separator: ", "))")
        }
        var table = base.map { $0.key == app.key ? appSpec(choosing: applications, default: first, from: $0) : $0 }
        var keys = Set(table.map(\.key))
        var variables = Set(table.flatMap(\.environmentVariables))
        var flags = CommandLineFlags(specs: table)
        for spec in settings {
            guard keys.insert(spec.key).inserted else { throw ConfigError("application setting \(spec.key): the key is already declared") }
            for variable in spec.environmentVariables where !variables.insert(variable).inserted {
                throw ConfigError("application setting \(spec.key): environment variable \(variable) is already used")
            }
            table.append(spec)
            let before = flags.clashes.count
            flags = CommandLineFlags(specs: table)
            if flags.clashes.count > before {
                throw ConfigError("application setting \(spec.key): command-line flag \(flags.clashes.last ?? "") is already used")
            }
        }
        return table
    }

    /// `app` over the names this binary serves.
    private static func appSpec(choosing names: [String], default name: String, from spec: SettingSpec) -> SettingSpec {
        if names == ["users", "echo"] { return spec }
        return Setting<String>(key: spec.key, choices: names, default: name, flags: spec.flags,
                               section: spec.section, reload: spec.reload,
                               summary: "The application the workers run, among those this binary serves.",
                               doc: "This binary serves: " + names.map { "`\($0)`" }.joined(separator: ", ") + ".").spec
    }
}
