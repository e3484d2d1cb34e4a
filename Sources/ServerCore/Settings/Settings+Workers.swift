import Posix

extension Settings {
    static let workersSection = "Workers"

    public static let workers = Setting<Int>(SettingSpec(
        key: "workers", type: .int, default: .int(2 * Process.cpuCount + 1), defaultDescription: "2 x CPU cores + 1",
        min: 1, max: 1024, flags: ["--workers", "-w"], section: workersSection, reload: .live,
        summary: "Number of worker processes.",
        doc: "Each worker is a single-threaded event loop that serves many connections; the application runs one request at a time per worker."))

    public static let workerConnections = Setting<Int>(SettingSpec(
        key: "worker_connections", type: .int, default: .int(1000), min: 1, max: 1_000_000,
        flags: ["--worker-connections"], section: workersSection, reload: .nextWorkers,
        summary: "Most open client connections per worker; it stops accepting at this number."))

    public static let reusePort = Setting<Bool>(SettingSpec(
        key: "reuse_port", type: .bool, default: .bool(false),
        flags: ["--reuse-port"], section: workersSection, reload: .restart,
        summary: "Give each worker its own SO_REUSEPORT socket instead of sharing the master's.",
        doc: "The kernel then spreads connections across workers by hash. The master keeps its bound sockets only to reserve the addresses and never accepts on them."))

    public static let timeout = Setting<Double>(SettingSpec(
        key: "timeout", type: .duration, default: .seconds(30), min: 0, max: 86400,
        flags: ["--timeout", "-t"], section: workersSection, reload: .live,
        summary: "A worker whose request handler (or event loop) is stuck this long is killed and replaced. 0 disables.",
        doc: "Measured from the worker's heartbeat in shared memory, never from files on disk."))

    public static let gracefulTimeout = Setting<Double>(SettingSpec(
        key: "graceful_timeout", type: .duration, default: .seconds(30), min: 0, max: 86400,
        flags: ["--graceful-timeout"], section: workersSection, reload: .live,
        summary: "After TERM, how long workers may finish in-flight requests before they are killed."))

    static let workerSettings: [SettingSpec] = [workers.spec, workerConnections.spec, reusePort.spec, timeout.spec, gracefulTimeout.spec]
}
