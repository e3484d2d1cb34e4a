import Posix

extension Settings {
    static let workersSection = "Workers"

    public static let workers = Setting<Int>(
        key: "workers", default: 2 * CPULimit.usableCPUs() + 1, defaultDescription: "2 x usable CPUs + 1",
        min: 1, max: 1024, flags: ["--workers", "-w"], section: workersSection, reload: .live,
        summary: "Number of worker processes.",
        doc: "Each worker is a single-threaded event loop that serves many connections; the application runs one request at a time per worker. The usable CPUs are the fewest of the CPUs online, the affinity mask (`taskset`, `cpuset`) and the cgroup CPU quota (cgroup v2 `cpu.max`, v1 `cpu.cfs_quota_us`, rounded up), so a container limited to one CPU gets 3 workers whatever the host has. `WEB_CONCURRENCY` sets it as in gunicorn: below the config file, `PADDOCK_WORKERS` and `--workers`.",
        aliases: [EnvironmentAlias("WEB_CONCURRENCY")])

    public static let workerConnections = Setting<Int>(
        key: "worker_connections", default: 1000, min: 1, max: 1_000_000,
        flags: ["--worker-connections"], section: workersSection, reload: .nextWorkers,
        summary: "Most open client connections per worker; at this number a new one replaces the longest idle one, if any.",
        doc: "A worker at the limit closes its longest idle keep-alive connection (else the connection that has sent nothing for longest) to accept a new one, and stops accepting only while none is idle. Under pressure (three quarters of the limit) a connection that has sent nothing gets pressure_silent_timeout instead of header_read_timeout. Admin connections do not count: they have admin_connections of their own.")

    public static let pressureSilentTimeout = Setting<Duration>(
        key: "pressure_silent_timeout", default: .seconds(2), min: .milliseconds(1), max: .seconds(3600),
        flags: ["--pressure-silent-timeout"], section: workersSection, reload: .nextWorkers,
        summary: "Once three quarters of worker_connections are open, how long a connection that has sent nothing may wait; never longer than header_read_timeout.",
        doc: "Keeps clients that open connections and send nothing from filling a worker's slots for the whole header_read_timeout.")

    public static let reusePort = Setting<Bool>(
        key: "reuse_port", default: false,
        flags: ["--reuse-port"], section: workersSection, reload: .restart,
        summary: "Give each worker its own SO_REUSEPORT socket instead of sharing the master's.",
        doc: "The kernel then spreads connections across workers by hash. The master keeps its bound sockets only to reserve the addresses and never accepts on them.")

    public static let timeout = Setting<Duration>(
        key: "timeout", default: .seconds(30), min: .zero, max: .seconds(86_400),
        flags: ["--timeout", "-t"], section: workersSection, reload: .live,
        summary: "A worker whose request handler (or event loop) is stuck this long is killed and replaced. 0 disables.",
        doc: "Measured from the worker's heartbeat in shared memory, never from files on disk.")

    public static let gracefulTimeout = Setting<Duration>(
        key: "graceful_timeout", default: .seconds(30), min: .zero, max: .seconds(86_400),
        flags: ["--graceful-timeout"], section: workersSection, reload: .live,
        summary: "After TERM, how long workers may finish in-flight requests before they are killed.")

    public static let quickStopTimeout = Setting<Duration>(
        key: "quick_stop_timeout", default: .seconds(2), min: .zero, max: .seconds(600),
        flags: ["--quick-stop-timeout"], section: workersSection, reload: .live,
        summary: "After INT or QUIT, how long workers may take to close their connections before they are killed.",
        doc: "A worker told to quit stops reading requests and closes its connections by then; the master kills any worker still running after it.")

    public static let drainIdleTimeout = Setting<Duration>(
        key: "drain_idle_timeout", default: .seconds(1), min: .zero, max: .seconds(600),
        flags: ["--drain-idle-timeout"], section: workersSection, reload: .nextWorkers,
        summary: "While a worker drains (TERM, reload, max_requests), how long an idle keep-alive connection stays open; never longer than keepalive.",
        doc: "A request the client sent just before the drain began may still be on its way; closing an idle connection at once would make the client see a reset for it.")

    public static let bootTimeout = Setting<Duration>(
        key: "boot_timeout", default: .seconds(30), min: .milliseconds(100), max: .seconds(3600),
        flags: ["--boot-timeout"], section: workersSection, reload: .live,
        summary: "A worker not ready this long after it was spawned is killed and retried with backoff.")

    public static let bootBackoffMax = Setting<Duration>(
        key: "boot_backoff_max", default: .seconds(30), min: .milliseconds(100), max: .seconds(3600),
        flags: ["--boot-backoff-max"], section: workersSection, reload: .live,
        summary: "Longest wait before respawning a slot whose workers keep failing to boot; the wait starts at 100 ms and doubles per failure.",
        doc: "Bounds how long a slot stays empty after the cause (a database that was down, a bad deploy) is fixed; a lower cap retries sooner at the cost of more spawns while it is not.")

    public static let abortGrace = Setting<Duration>(
        key: "abort_grace", default: .seconds(5), min: .zero, max: .seconds(600),
        flags: ["--abort-grace"], section: workersSection, reload: .live,
        summary: "After a timeout's SIGABRT, how long before the worker's process group gets SIGKILL.")

    public static let shutdownDelay = Setting<Duration>(
        key: "shutdown_delay", default: .zero, min: .zero, max: .seconds(3600),
        flags: ["--shutdown-delay"], section: workersSection, reload: .live,
        summary: "On TERM, how long readiness (/health/ready) answers 503 while still serving, before workers stop accepting.",
        doc: "Gives a load balancer's health checks time to take this instance out of rotation before its listeners close. Set it to the balancer's check interval times its unhealthy threshold.")

    public static let maxRequests = Setting<Int>(
        key: "max_requests", default: 0, min: 0, max: 1_000_000_000,
        flags: ["--max-requests"], section: workersSection, reload: .live,
        summary: "Replace a worker after it served this many requests (0 = never); its successor is ready first.")

    public static let maxRequestsJitter = Setting<Int>(
        key: "max_requests_jitter", default: 0, min: 0, max: 1_000_000_000,
        flags: ["--max-requests-jitter"], section: workersSection, reload: .live,
        summary: "Add a random 0..N to each worker's max_requests so workers are not all replaced at once.")

    public static let maxWorkerMemory = Setting<ByteCount>(
        key: "max_worker_memory", default: 0, min: 0, max: 1_099_511_627_776,
        flags: ["--max-worker-memory"], section: workersSection, reload: .live,
        summary: "Replace a worker whose resident memory exceeds this (0 = never); its successor is ready first.")

    static let workerSettings: [SettingSpec] = [workers.spec, workerConnections.spec, pressureSilentTimeout.spec, reusePort.spec, timeout.spec, gracefulTimeout.spec,
                                                quickStopTimeout.spec, drainIdleTimeout.spec, bootTimeout.spec, bootBackoffMax.spec, abortGrace.spec, shutdownDelay.spec,
                                                maxRequests.spec, maxRequestsJitter.spec, maxWorkerMemory.spec]
}
