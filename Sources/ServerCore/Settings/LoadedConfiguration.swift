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

    /// Memberwise, for callers (and tests) that build a result without loading.
    public init(configuration: Configuration, configPath: String?, action: ConfigAction, positional: [String]) {
        self.configuration = configuration
        self.configPath = configPath
        self.action = action
        self.positional = positional
    }
}
