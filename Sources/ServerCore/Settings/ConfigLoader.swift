import Posix

/// Builds a `Configuration` from defaults, the config file, `PADDOCK_*`
/// environment variables and the command line, in that order of precedence,
/// generically over the settings table.
public enum ConfigLoader {
    /// Names the config file when `--config` is not given.
    public static let configVariable = "PADDOCK_CONFIG"

    /// Loads the configuration the master runs with. `arguments` exclude argv[0].
    ///
    /// The config file is `--config`/`-c`, else `PADDOCK_CONFIG`, else
    /// `defaultConfigPath` if it exists, else none; a file that was named but
    /// cannot be read is an error. With `--help` or `--version` nothing is
    /// read, so help works even when the configuration is broken.
    public static func load(arguments: [String], environment: [String: String],
                            defaultConfigPath: String = "server.conf") throws(ConfigError) -> LoadedConfiguration {
        try load(arguments: arguments, environment: environment, defaultConfigPath: defaultConfigPath, specs: Settings.all)
    }

    /// Parses config-file text alone over defaults (no env, no CLI): used by
    /// workers to read the configuration the master serialized, and by HUP reload.
    public static func parse(text: String, path: String, over base: Configuration = .defaults()) throws(ConfigError) -> Configuration {
        try parse(text: text, path: path, over: base, specs: Settings.all)
    }

    // The same, over any list of specs, so tests can add settings of their own.
    static func load(arguments: [String], environment: [String: String], defaultConfigPath: String,
                     specs: [SettingSpec]) throws(ConfigError) -> LoadedConfiguration {
        let commandLine = try CommandLineArguments(arguments, flags: CommandLineFlags(specs: specs))
        let action = commandLine.action
        if action == .help || action == .version {
            return LoadedConfiguration(configuration: .defaults(specs: specs), configPath: nil, action: action,
                                       positional: commandLine.positional)
        }

        var configuration = Configuration.defaults(specs: specs)
        let configPath = try resolveConfigPath(commandLine.configPath, environment: environment, defaultPath: defaultConfigPath)
        if let configPath {
            configuration = try parse(text: readConfigFile(configPath), path: configPath, over: configuration, specs: specs)
        }

        for spec in specs {
            guard let text = environment[spec.environmentVariable] else { continue }
            let name = spec.environmentVariable
            // A list from the environment replaces: one variable is one complete value.
            configuration.set(spec.key, try value(text, spec, at: name), from: .environment(name))
        }

        var listsSetOnCommandLine: Set<String> = []
        for assignment in commandLine.assignments {
            let spec = assignment.spec
            var value = try value(assignment.text, spec, at: assignment.flag)
            // The first --bind replaces the lower layers, each further one appends.
            if case .list(let items) = value, !listsSetOnCommandLine.insert(spec.key).inserted,
               case .list(let earlier) = configuration.values[spec.key] {
                value = .list(earlier + items)
            }
            configuration.set(spec.key, value, from: .commandLine(assignment.flag))
        }

        return LoadedConfiguration(configuration: configuration, configPath: configPath, action: action,
                                   positional: commandLine.positional)
    }

    static func parse(text: String, path: String, over base: Configuration, specs: [SettingSpec]) throws(ConfigError) -> Configuration {
        var configuration = base
        var listsSetInFile: Set<String> = []
        let keys = specs.map(\.key)
        for entry in try ConfigFileParser.entries(in: text, path: path) {
            let location = "\(path):\(entry.line)"
            guard let spec = specs.first(where: { $0.key == entry.key }) else {
                let hint = Suggestion.closest(to: entry.key, among: keys).map { " (did you mean \"\($0)\"?)" } ?? ""
                throw ConfigError("\(location): unknown setting \(String(reflecting: entry.key))\(hint)")
            }
            var value = try value(entry.value, spec, at: location)
            var source = SettingSource.file(path: path, line: entry.line)
            // The first line of a list replaces the default, repeated lines append;
            // the source stays the first line, where the list starts.
            if case .list(let items) = value, !listsSetInFile.insert(spec.key).inserted,
               case .list(let earlier) = configuration.values[spec.key] {
                value = .list(earlier + items)
                source = configuration.source(of: spec.key)
            }
            configuration.set(spec.key, value, from: source)
        }
        return configuration
    }

    /// Parses one value and, on failure, names where it came from.
    private static func value(_ text: String, _ spec: SettingSpec, at location: String) throws(ConfigError) -> SettingValue {
        do {
            return try SettingValueParser.parse(text, for: spec)
        } catch {
            throw ConfigError("\(location): " + error.message(key: spec.key, text: text.trimmingWhitespace()))
        }
    }

    private static func resolveConfigPath(_ fromCommandLine: String?, environment: [String: String],
                                          defaultPath: String) throws(ConfigError) -> String? {
        if let path = fromCommandLine {
            guard !path.isEmpty else { throw ConfigError("--config: missing file name") }
            return path
        }
        if let path = environment[configVariable], !path.isEmpty { return path }
        // Only the implicit default may be absent; a file someone named must exist.
        return Files.exists(defaultPath) ? defaultPath : nil
    }

    private static func readConfigFile(_ path: String) throws(ConfigError) -> String {
        do {
            return try Files.readText(path)
        } catch {
            throw ConfigError("cannot read config file \(path): \(error)")
        }
    }
}
