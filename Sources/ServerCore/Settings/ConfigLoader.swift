import Glibc
import Posix

/// Builds a `Configuration` from defaults, the variables a Flask deployment
/// sets (`DATABASE_URL`, `PORT`, ...: each setting's aliases), the config
/// file, `PADDOCK_*` environment variables and the command line, in that
/// order of precedence, generically over the settings table. A `.env` file
/// adds variables the real environment does not have.
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
                            defaultConfigPath: String = "server.conf",
                            defaultEnvFilePath: String = ".env") throws(ConfigError) -> LoadedConfiguration {
        try load(arguments: arguments, environment: environment, defaultConfigPath: defaultConfigPath,
                 defaultEnvFilePath: defaultEnvFilePath, specs: Settings.all)
    }

    /// Parses config-file text alone over defaults (no env, no CLI): used by
    /// workers to read the configuration the master serialized, and by HUP reload.
    public static func parse(text: String, path: String, over base: Configuration = .defaults()) throws(ConfigError) -> Configuration {
        try parse(text: text, path: path, over: base, specs: Settings.all)
    }

    // The same, over any list of specs, so tests can add settings of their own.
    static func load(arguments: [String], environment: [String: String], defaultConfigPath: String,
                     defaultEnvFilePath: String = ".env", specs: [SettingSpec]) throws(ConfigError) -> LoadedConfiguration {
        let commandLine = try CommandLineArguments(arguments, flags: CommandLineFlags(specs: specs))
        let action = commandLine.action
        if action == .help || action == .version {
            return LoadedConfiguration(configuration: .defaults(specs: specs), configPath: nil, action: action,
                                       positional: commandLine.positional)
        }

        var warnings: [String] = []
        let envFilePath = try resolveEnvFilePath(commandLine.envFilePath, defaultPath: defaultEnvFilePath)
        let dotenv = try envFilePath.map { path throws(ConfigError) in
            DotEnv(text: try readEnvFile(path, named: commandLine.envFilePath != nil), path: path, environment: environment)
        }
        warnings += dotenv?.warnings ?? []
        let variables = EnvironmentVariables(real: environment, dotenv: dotenv, dotenvPath: envFilePath)

        var configuration = Configuration.defaults(specs: specs)
        let configPath = try resolveConfigPath(commandLine.configPath, environment: variables, defaultPath: defaultConfigPath)
        if let configPath {
            let text = try readFile(configPath, what: "config file")
            if GunicornConfig.handles(path: configPath) {
                let gunicorn = try GunicornConfig.parse(text: text, path: configPath, environment: variables.merged, specs: specs)
                configuration = try apply(gunicorn.entries, path: configPath, over: configuration, specs: specs)
                warnings += gunicorn.warnings
            } else {
                configuration = try parse(text: text, path: configPath, over: configuration, specs: specs)
            }
        }

        // Flask's and gunicorn's variables are defaults, as gunicorn reads PORT
        // and WEB_CONCURRENCY: the config file, PADDOCK_* and flags win. Only
        // a variable that is used is parsed, since names such as PORT and
        // LOG_LEVEL may be set for something else.
        let setOnCommandLine = Set(commandLine.assignments.map(\.spec.key))
        for spec in specs where configuration.source(of: spec.key) == .defaultValue && !setOnCommandLine.contains(spec.key)
            && variables.paddockVariable(for: spec) == nil {
            guard let found = variables.alias(for: spec) else { continue }
            configuration.set(spec.key, try value(found.text, spec, at: found.location), from: found.source)
        }

        for spec in specs {
            guard let found = variables.paddockVariable(for: spec) else { continue }
            // A list from the environment replaces: one variable is one complete value.
            configuration.set(spec.key, try value(found.text, spec, at: found.location), from: found.source)
        }

        var listsSetOnCommandLine: Set<String> = []
        for assignment in commandLine.assignments {
            let spec = assignment.spec
            var value = try value(assignment.text, spec, at: assignment.flag)
            // The first --bind replaces the lower layers, each further one appends.
            if let items = value.get([String].self), !listsSetOnCommandLine.insert(spec.key).inserted,
               let earlier = configuration.values[spec.key]?.get([String].self) {
                value = .list(earlier + items)
            }
            configuration.set(spec.key, value, from: .commandLine(assignment.flag))
        }

        return LoadedConfiguration(configuration: configuration, configPath: configPath, action: action,
                                   positional: commandLine.positional, warnings: warnings, envFilePath: envFilePath)
    }

    static func parse(text: String, path: String, over base: Configuration, specs: [SettingSpec]) throws(ConfigError) -> Configuration {
        try apply(ConfigFileParser.entries(in: text, path: path), path: path, over: base, specs: specs)
    }

    /// Applies `key = value` entries read from the file at `path` over `base`.
    static func apply(_ entries: [ConfigFileParser.Entry], path: String, over base: Configuration,
                      specs: [SettingSpec]) throws(ConfigError) -> Configuration {
        var configuration = base
        var listsSetInFile: Set<String> = []
        let keys = specs.map(\.key)
        for entry in entries {
            let location = "\(path):\(entry.line)"
            guard let spec = specs.first(where: { $0.key == entry.key }) else {
                let hint = Suggestion.closest(to: entry.key, among: keys).map { " (did you mean \"\($0)\"?)" } ?? ""
                throw ConfigError("\(location): unknown setting \(String(reflecting: entry.key))\(hint)")
            }
            var value = try value(entry.value, spec, at: location)
            var source = SettingSource.file(path: path, line: entry.line)
            // The first line of a list replaces the default, repeated lines append;
            // the source stays the first line, where the list starts.
            if let items = value.get([String].self), !listsSetInFile.insert(spec.key).inserted,
               let earlier = configuration.values[spec.key]?.get([String].self) {
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
            // A secret is named without its secret part: a URL keeps all but its password.
            let shown = spec.secret ? DatabaseURL.redacting(text.trimmingWhitespace()) : text.trimmingWhitespace()
            throw ConfigError("\(location): " + error.message(key: spec.key, text: shown))
        }
    }

    private static func resolveConfigPath(_ fromCommandLine: String?, environment: EnvironmentVariables,
                                          defaultPath: String) throws(ConfigError) -> String? {
        if let path = fromCommandLine {
            guard !path.isEmpty else { throw ConfigError("--config: missing file name") }
            return path
        }
        if let path = environment.merged[configVariable], !path.isEmpty { return path }
        // Only the implicit default may be absent; a file someone named must exist.
        return Files.exists(defaultPath) ? defaultPath : nil
    }

    /// `--env-file`, which must exist, else `defaultPath` when it exists.
    private static func resolveEnvFilePath(_ fromCommandLine: String?, defaultPath: String) throws(ConfigError) -> String? {
        if let path = fromCommandLine {
            guard !path.isEmpty else { throw ConfigError("--env-file: missing file name") }
            return path
        }
        return !defaultPath.isEmpty && Files.exists(defaultPath) ? defaultPath : nil
    }

    /// A `.env` can set any setting, `worker_binary` and `user` included. As
    /// root it must be root's own and writable by no one else, or whoever
    /// can write the working directory's `.env` would choose what root runs.
    /// A file named with `--env-file` may be a link (a Kubernetes secret
    /// volume's files are), checked where it leads; the implicit `./.env` may not.
    private static func readEnvFile(_ path: String, named: Bool) throws(ConfigError) -> String {
        guard Process.userID == 0 else { return try readFile(path, what: "env file") }
        do {
            let fd = named ? try Files.open(path, flags: O_RDONLY) : try Files.openNoFollow(path, flags: O_RDONLY)
            let bytes: [UInt8]
            do {
                let status = try fd.status()
                guard status.isRegularFile else { throw RefusedFileError(path: path, reason: "not a regular file") }
                guard status.uid == 0, status.permissions & 0o022 == 0 else {
                    throw RefusedFileError(path: path, reason: "as root, an env file must be owned by root and writable by no one else (chown root; chmod go-w), since it can set any setting")
                }
                bytes = try fd.readAllFromStart()
            } catch {
                fd.closeAfterFailure()
                throw error
            }
            try fd.close()
            return String(decoding: bytes, as: UTF8.self)
        } catch let error as RefusedFileError {
            throw ConfigError("\(error)")
        } catch {
            throw ConfigError("cannot read env file \(path): \(error)")
        }
    }

    private static func readFile(_ path: String, what: String) throws(ConfigError) -> String {
        do {
            return try Files.readText(path)
        } catch {
            throw ConfigError("cannot read \(what) \(path): \(error)")
        }
    }
}
