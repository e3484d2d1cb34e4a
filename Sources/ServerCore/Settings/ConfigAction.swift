/// What the command line asked the master to do with the configuration.
public enum ConfigAction: Sendable, Equatable {
    /// Start serving.
    case run
    /// `--help`: print `SettingsDocs.help` and exit.
    case help
    /// `--version`: print the version and exit.
    case version
    /// `--check-config`: load and validate everything, report, exit 0 or 2.
    case checkConfig
    /// `--print-config`: print `Configuration.printable()` and exit.
    case printConfig
}
