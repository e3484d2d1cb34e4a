/// The outcome of `ConfigLoader.load`: the merged configuration and what to do with it.
public struct LoadedConfiguration: Sendable {
    /// Defaults, then the config file, then the environment, then the command line.
    public var configuration: Configuration
    /// The config file that was read, nil when there was none.
    public var configPath: String?
    /// What the options asked for: serve, or print something and exit.
    public var action: ConfigAction
    /// Arguments that are not options (subcommands such as `migrate`), in order.
    public var positional: [String]
    /// Things that do not stop the start but should be read: a `.env` line
    /// that was skipped, a gunicorn setting that does not apply. The master
    /// logs them; `--check-config` prints them.
    public var warnings: [String]
    /// The `.env` file that was read, nil when there was none.
    public var envFilePath: String?

    /// Memberwise, for callers (and tests) that build a result without loading.
    public init(configuration: Configuration, configPath: String?, action: ConfigAction, positional: [String],
                warnings: [String] = [], envFilePath: String? = nil) {
        self.configuration = configuration
        self.configPath = configPath
        self.action = action
        self.positional = positional
        self.warnings = warnings
        self.envFilePath = envFilePath
    }
}
