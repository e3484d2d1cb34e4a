/// What the master hands a worker across `exec`, in one place.
///
/// The worker is the master's own executable (resolved once at the master's
/// start, so a HUP runs whatever is at that path now) started as
/// `EXECUTABLE --paddock-worker`: one binary per application, and never Swift
/// code continued after a bare fork.
///
/// File descriptors in the worker:
///
///     3 ..< 3+N      the N listening sockets, in `bind` order
///     3+N            the control socket (one end of a socketpair per worker)
///     3+N+1          the resolved configuration (a sealed memfd, config-file text)
///     3+N+2          the scoreboard (memfd shared by master and all workers)
///     3+N+3          the TLS session ticket keys (memfd, 80 bytes, the same for
///                    every worker and kept across HUP: `SessionTicketKeys`)
///
/// Environment: `PADDOCK_WORKER_SLOT`, `PADDOCK_WORKER_GENERATION`,
/// `PADDOCK_WORKER_LISTENERS` (N), `PADDOCK_WORKER_SCOREBOARD_INDEX`. Everything else comes from the configuration.
public enum WorkerContract {
    public static let firstListenerFD: Int32 = 3

    /// `argv[1]` of a worker: the entry point runs the worker, not the master.
    public static let workerArgument = "--paddock-worker"

    public static let slotVariable = "PADDOCK_WORKER_SLOT"
    public static let generationVariable = "PADDOCK_WORKER_GENERATION"
    public static let listenerCountVariable = "PADDOCK_WORKER_LISTENERS"
    /// The worker's scoreboard entry. Not the slot: while a slot's worker is
    /// replaced, the old and the new one both live and each needs its own entry.
    public static let scoreboardIndexVariable = "PADDOCK_WORKER_SCOREBOARD_INDEX"
    /// How many of the listeners, counted from the last, are admin listeners.
    public static let adminListenerCountVariable = "PADDOCK_WORKER_ADMIN_LISTENERS"

    public static func controlFD(listeners: Int) -> Int32 { firstListenerFD + Int32(listeners) }
    public static func configFD(listeners: Int) -> Int32 { firstListenerFD + Int32(listeners) + 1 }
    public static func scoreboardFD(listeners: Int) -> Int32 { firstListenerFD + Int32(listeners) + 2 }
    public static func ticketKeysFD(listeners: Int) -> Int32 { firstListenerFD + Int32(listeners) + 3 }

    /// Environment variables the master removes before passing its own
    /// environment on, because they describe the master, not the worker.
    public static let masterOnlyVariables: Set<String> = ["LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "NOTIFY_SOCKET",
                                                          "WATCHDOG_USEC", "WATCHDOG_PID"]
}

/// Why a worker exited. The master decides from this whether to respawn.
public enum WorkerExitCode: Int32, Sendable, CustomStringConvertible {
    /// Normal exit (drained after TERM, or retired).
    case normal = 0
    /// Unusable configuration: respawning cannot help.
    case fatalConfig = 2
    /// The worker could not start (inherited fds missing, epoll failed).
    case bootFailed = 3
    /// The application failed to load (database unreachable at start, schema missing).
    case appLoadFailed = 4

    public var description: String {
        switch self {
        case .normal: return "normal exit"
        case .fatalConfig: return "fatal configuration error"
        case .bootFailed: return "boot failed"
        case .appLoadFailed: return "application failed to load"
        }
    }
}

/// Messages on the control socket: one byte each. Master -> worker commands;
/// worker -> master reports.
public enum ControlMessage: UInt8, Sendable {
    // master -> worker
    /// Stop accepting, finish in-flight requests, exit.
    case drain = 0x01
    /// Finish only the request being handled, then exit.
    case quit = 0x02
    /// Reopen log files.
    case reopenLogs = 0x03
    /// Readiness turns 503 (shutdown_delay), keep serving.
    case unready = 0x04
    // worker -> master
    /// The worker finished starting and accepts connections.
    case ready = 0x81
    /// The worker is draining (it got `drain` or saw a reason to stop).
    case draining = 0x82
}
