import ServerCore

/// Where a worker is in its life, in one value: the loop, the readiness
/// answer, the accept balancer and the scoreboard entry all read it from
/// here instead of from separate flags that could disagree.
///
/// Pure: the event loop reports what happened (the master's control
/// messages, signals) and carries out the transitions' side effects.
enum WorkerLifecycle: Equatable {
    /// Booted, not yet reported ready to the master.
    case starting
    /// Accepting and answering; `/health/ready` says ready.
    case serving
    /// Still serving, but `/health/ready` answers 503 (the master is about to
    /// stop the server and lets load balancers take it out of rotation first).
    case unready
    /// Graceful stop: no new connections, in-flight requests finish and
    /// answer `Connection: close`; the worker exits once every connection
    /// has closed. `since` is when the drain began.
    case draining(since: UInt64)
    /// Quick stop: only output already produced is finished; the worker
    /// exits when every connection has closed or at `deadline`.
    case quitting(deadline: UInt64)

    /// Draining or quitting: no accepting, no keep-alive.
    var isStopping: Bool {
        switch self {
        case .draining, .quitting: return true
        case .starting, .serving, .unready: return false
        }
    }

    var isQuitting: Bool {
        if case .quitting = self { return true }
        return false
    }

    /// Whether `/health/ready` may report ready (the application still has its say).
    var mayReportReady: Bool {
        switch self {
        case .starting, .serving: return true
        case .unready, .draining, .quitting: return false
        }
    }

    /// The loop runs: reported ready to the master.
    mutating func started() {
        if self == .starting { self = .serving }
    }

    /// The master asked for readiness to fail before a stop. Stopping already
    /// answers 503, so it stays as it is.
    mutating func becomeUnready() {
        switch self {
        case .starting, .serving: self = .unready
        case .unready, .draining, .quitting: break
        }
    }

    /// A graceful stop. False when the worker was already stopping (nothing to do).
    mutating func beginDrain(now: UInt64) -> Bool {
        guard !isStopping else { return false }
        self = .draining(since: now)
        return true
    }

    /// A quick stop, also from a drain under way. False when already quitting.
    mutating func beginQuit(now: UInt64, grace: UInt64) -> Bool {
        guard !isQuitting else { return false }
        self = .quitting(deadline: now &+ grace)
        return true
    }

    /// Whether the loop ends now, with `open` connections left.
    func isFinished(open: Int, now: UInt64) -> Bool {
        switch self {
        case .draining: return open == 0
        case .quitting(let deadline): return open == 0 || now >= deadline
        case .starting, .serving, .unready: return false
        }
    }

    /// Writes into the scoreboard entry what the worker is doing: the one
    /// place its `state` field is set (the master, the peers' accept
    /// balancing and `/status` read it; its layout and values are unchanged).
    func publish(to entry: ScoreboardSlot, handling: Bool) {
        entry.state = activity(handling: handling)
    }

    /// What the scoreboard entry says the worker is doing.
    func activity(handling: Bool) -> WorkerActivity {
        switch self {
        case .starting: return .booting
        case .draining, .quitting: return .draining
        case .serving, .unready: return handling ? .handling : .idle
        }
    }
}
