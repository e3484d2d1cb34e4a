import Posix

extension Settings {
    static let workersSection = "Workers"

    public static let workers = Setting<Int>(SettingSpec(
        key: "workers", type: .int, default: .int(2 * CPULimit.usableCPUs() + 1), defaultDescription: "2 x usable CPUs + 1",
        min: 1, max: 1024, flags: ["--workers", "-w"], section: workersSection, reload: .live,
        summary: "Number of worker processes.",
        doc: "Each worker is a single-threaded event loop that serves many connections; the application runs one request at a time per worker. The usable CPUs are the fewest of the CPUs online, the affinity mask (`taskset`, `cpuset`) and the cgroup CPU quota (cgroup v2 `cpu.max`, v1 `cpu.cfs_quota_us`, rounded up), so a container limited to one CPU gets 3 workers whatever the host has. `WEB_CONCURRENCY` sets it as in gunicorn: below the config file, `PADDOCK_WORKERS` and `--workers`.",
        aliases: [EnvironmentAlias("WEB_CONCURRENCY")]))

    public static let workerConnections = Setting<Int>(SettingSpec(
        key: "worker_connections", type: .int, default: .int(1000), min: 1, max: 1_000_000,
        flags: ["--worker-connections"], section: workersSection, reload: .nextWorkers,
        summary: "Most open client connections per worker; at this number a new one replaces the longest idle one, if any.",
        doc: "A worker at the limit closes its longest idle keep-alive connection (else the connection that has sent nothing for longest) to accept a new one, and stops accepting only while none is idle. Under pressure (three quarters of the limit) a connection that has sent nothing gets 2 s instead of header_read_timeout. Admin connections do not count: they have admin_connections of their own."))

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

    public static let bootTimeout = Setting<Double>(SettingSpec(
        key: "boot_timeout", type: .duration, default: .seconds(30), min: 0.1, max: 3600,
        flags: ["--boot-timeout"], section: workersSection, reload: .live,
        summary: "A worker not ready this long after it was spawned is killed and retried with backoff."))

    public static let abortGrace = Setting<Double>(SettingSpec(
        key: "abort_grace", type: .duration, default: .seconds(5), min: 0, max: 600,
        flags: ["--abort-grace"], section: workersSection, reload: .live,
        summary: "After a timeout's SIGABRT, how long before the worker's process group gets SIGKILL."))

    public static let shutdownDelay = Setting<Double>(SettingSpec(
        key: "shutdown_delay", type: .duration, default: .seconds(0), min: 0, max: 3600,
        flags: ["--shutdown-delay"], section: workersSection, reload: .live,
        summary: "On TERM, how long readiness (/health/ready) answers 503 while still serving, before workers stop accepting.",
        doc: "Gives a load balancer's health checks time to take this instance out of rotation before its listeners close. Set it to the balancer's check interval times its unhealthy threshold."))

    public static let maxRequests = Setting<Int>(SettingSpec(
        key: "max_requests", type: .int, default: .int(0), min: 0, max: 1_000_000_000,
        flags: ["--max-requests"], section: workersSection, reload: .live,
        summary: "Replace a worker after it served this many requests (0 = never); its successor is ready first."))

    public static let maxRequestsJitter = Setting<Int>(SettingSpec(
        key: "max_requests_jitter", type: .int, default: .int(0), min: 0, max: 1_000_000_000,
        flags: ["--max-requests-jitter"], section: workersSection, reload: .live,
        summary: "Add a random 0..N to each worker's max_requests so workers are not all replaced at once."))

    public static let maxWorkerMemory = Setting<Int>(SettingSpec(
        key: "max_worker_memory", type: .bytes, default: .int(0), min: 0, max: 1_099_511_627_776,
        flags: ["--max-worker-memory"], section: workersSection, reload: .live,
        summary: "Replace a worker whose resident memory exceeds this (0 = never); its successor is ready first."))

    static let workerSettings: [SettingSpec] = [workers.spec, workerConnections.spec, reusePort.spec, timeout.spec, gracefulTimeout.spec,
                                                bootTimeout.spec, abortGrace.spec, shutdownDelay.spec,
                                                maxRequests.spec, maxRequestsJitter.spec, maxWorkerMemory.spec]
}
