import ServerCore

extension Supervisor.Policy {
    /// The tunables as the settings give them; the table holds every default.
    public init(configuration config: Configuration) {
        workers = config[Settings.workers]
        gracefulTimeout = config[Settings.gracefulTimeout]
        quickStopTimeout = config[Settings.quickStopTimeout]
        bootTimeout = config[Settings.bootTimeout]
        backoffCap = config[Settings.bootBackoffMax]
        timeout = config[Settings.timeout]
        abortGrace = config[Settings.abortGrace]
        maxRequests = config[Settings.maxRequests]
        maxWorkerMemory = config[Settings.maxWorkerMemory].count
        // Derived, not a setting: a tick gap of half the timeout (at least 5 s)
        // cannot be a busy master, and the kill pass it skips comes back next tick.
        clockJump = max(.seconds(5), timeout / 2)
    }

    /// The defaults with `workers` and `gracefulTimeout` set, for tests.
    public init(workers: Int, gracefulTimeout: Duration) {
        self.init(configuration: .defaults())
        self.workers = workers
        self.gracefulTimeout = gracefulTimeout
    }
}
