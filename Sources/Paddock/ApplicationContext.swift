import ServerCore

/// What an application is built from, in each worker: the configuration
/// (the server's settings and the application's own), the worker's logger
/// and its slot.
public struct ApplicationContext: Sendable {
    /// Every setting, resolved by the master from defaults, config file,
    /// environment and command line.
    public let configuration: Configuration
    /// The worker's error log (`slot=` and `pid=` on every line).
    public let logger: Logger
    /// The worker's slot, `0..<workers`; stable across replacements.
    public let slot: Int

    public init(configuration: Configuration, logger: Logger, slot: Int) {
        self.configuration = configuration
        self.logger = logger
        self.slot = slot
    }

    /// The typed value of a setting: `context[Hello.greeting]`.
    public subscript<V>(_ setting: Setting<V>) -> V { configuration[setting] }
}
