import Posix
import ServerCore

/// The master's decisions, as a pure state machine: events in, actions out.
/// No system calls and no clock of its own (`now` is monotonic nanoseconds,
/// passed in), so every rule is tested in microseconds with a manual clock.
/// `Arbiter` is the thin shell that turns actions into system calls.
public struct Supervisor {
    /// Tunables, from the settings.
    public struct Policy: Sendable, Equatable {
        public var workers: Int
        public var gracefulTimeout: Duration
        public var quickStopTimeout: Duration = .seconds(2)
        public var bootTimeout: Duration = .seconds(30)
        /// First delay after a boot failure; doubles per consecutive failure.
        public var backoffBase: Duration = .milliseconds(100)
        public var backoffCap: Duration = .seconds(30)

        public init(workers: Int, gracefulTimeout: Duration) {
            self.workers = workers
            self.gracefulTimeout = gracefulTimeout
        }
    }

    public enum WorkerState: String, Sendable { case booting, ready, draining, quitting }

    public struct Worker: Sendable, Equatable {
        public let pid: Int32
        public let slot: Int
        public let generation: Int
        public var state: WorkerState
        public let spawnedAt: UInt64
        public var readyAt: UInt64?
        /// When drain/quit was requested (for the kill deadline).
        public var stopRequestedAt: UInt64?
        public var killed = false
    }

    public enum Phase: Sendable, Equatable {
        case running
        case stopping(graceful: Bool, since: UInt64)
        case exited
    }

    public enum Action: Sendable, Equatable {
        case spawn(slot: Int, generation: Int)
        case send(pid: Int32, ControlMessage)
        /// SIGKILL to the worker's process group (it leads its own group).
        case killGroup(pid: Int32)
        case log(LogLevel, String)
        /// Every minimum worker reported ready for the first time.
        case becameReady
        case exit(code: Int32)
    }

    public private(set) var policy: Policy
    public private(set) var phase: Phase = .running
    public private(set) var workers: [Int32: Worker] = [:]
    public private(set) var generation = 1
    /// Per slot: consecutive boot failures and the earliest time a respawn may happen.
    public private(set) var failures: [Int: Int] = [:]
    public private(set) var respawnAt: [Int: UInt64] = [:]
    /// Slots whose worker reported a fatal configuration error: not respawned.
    public private(set) var disabledSlots: Set<Int> = []
    /// Slots with a spawn requested but not yet confirmed by `spawned`.
    private var spawnPending: Set<Int> = []
    private var announcedReady = false

    public init(policy: Policy) { self.policy = policy }

    // MARK: events

    /// Start: spawn every slot.
    public mutating func start(now: UInt64) -> [Action] {
        tick(now: now)
    }

    /// The shell spawned a worker for `slot`.
    public mutating func spawned(slot: Int, pid: Int32, generation: Int, now: UInt64) -> [Action] {
        spawnPending.remove(slot)
        workers[pid] = Worker(pid: pid, slot: slot, generation: generation, state: .booting, spawnedAt: now)
        var actions: [Action] = [.log(.info, "booting worker slot=\(slot) pid=\(pid) generation=\(generation)")]
        if case .stopping(let graceful, _) = phase {
            // A stop arrived between the decision and the spawn: stop it at once.
            workers[pid]?.stopRequestedAt = now
            workers[pid]?.state = graceful ? .draining : .quitting
            actions.append(.send(pid: pid, graceful ? .drain : .quit))
        }
        return actions
    }

    /// The shell could not spawn (posix_spawn failed): counts as a boot failure.
    public mutating func spawnFailed(slot: Int, reason: String, now: UInt64) -> [Action] {
        spawnPending.remove(slot)
        return recordBootFailure(slot: slot, now: now, why: "spawn failed: \(reason)") + tick(now: now)
    }

    /// A worker reported ready on its control socket.
    public mutating func ready(pid: Int32, now: UInt64) -> [Action] {
        guard var w = workers[pid], w.state == .booting else { return [] }
        w.state = .ready
        w.readyAt = now
        workers[pid] = w
        failures[w.slot] = nil
        respawnAt[w.slot] = nil
        var actions: [Action] = [.log(.info, "worker ready slot=\(w.slot) pid=\(pid) in \(Self.format(now - w.spawnedAt))")]
        if !announcedReady && phase == .running && readyCount >= policy.workers {
            announcedReady = true
            actions.append(.becameReady)
        }
        return actions
    }

    /// A child was reaped.
    public mutating func exited(pid: Int32, status: ExitStatus, now: UInt64) -> [Action] {
        guard let w = workers.removeValue(forKey: pid) else {
            return [.log(.debug, "reaped unknown child pid=\(pid) (\(status))")]
        }
        var actions: [Action] = []
        let expected = w.state == .draining || w.state == .quitting
        if expected && !w.killed {
            actions.append(.log(.info, "worker exited slot=\(w.slot) pid=\(pid) (\(status))"))
        } else if w.killed {
            actions.append(.log(.warning, "worker killed slot=\(w.slot) pid=\(pid) after its stop deadline (\(status))"))
        } else if status == .exited(WorkerExitCode.fatalConfig.rawValue) {
            disabledSlots.insert(w.slot)
            actions.append(.log(.critical, "worker slot=\(w.slot) pid=\(pid) exited with a fatal configuration error; slot not respawned"))
        } else if w.state == .booting {
            actions += recordBootFailure(slot: w.slot, now: now, why: "exited during boot (\(Self.describe(status)))")
        } else {
            actions.append(.log(.error, "worker died slot=\(w.slot) pid=\(pid) (\(Self.describe(status))); respawning"))
        }
        if case .stopping = phase {
            if workers.isEmpty {
                phase = .exited
                actions.append(.log(.info, "all workers stopped; exiting"))
                actions.append(.exit(code: 0))
            }
            return actions
        }
        if workers.isEmpty && spawnPending.isEmpty && disabledSlots.count >= policy.workers {
            phase = .exited
            actions.append(.log(.critical, "every worker failed with a fatal configuration error; exiting"))
            actions.append(.exit(code: WorkerExitCode.fatalConfig.rawValue))
            return actions
        }
        return actions + tick(now: now)
    }

    /// TERM (graceful) or INT/QUIT (quick).
    public mutating func stop(graceful: Bool, now: UInt64) -> [Action] {
        switch phase {
        case .exited: return []
        case .stopping(let wasGraceful, _):
            // A quick stop may override a graceful one in progress, not the reverse.
            if wasGraceful && !graceful { break }
            return []
        case .running: break
        }
        phase = .stopping(graceful: graceful, since: now)
        respawnAt.removeAll()
        var actions: [Action] = [.log(.info, graceful ? "graceful stop: draining \(workers.count) workers" : "quick stop")]
        for pid in workers.keys.sorted() {
            workers[pid]!.state = graceful ? .draining : .quitting
            workers[pid]!.stopRequestedAt = now
            actions.append(.send(pid: pid, graceful ? .drain : .quit))
        }
        if workers.isEmpty && spawnPending.isEmpty {
            phase = .exited
            actions.append(.exit(code: 0))
        }
        return actions
    }

    /// Periodic evaluation: deadlines and bringing the worker count to target.
    public mutating func tick(now: UInt64) -> [Action] {
        var actions: [Action] = []
        // Deadlines for workers asked to stop.
        for pid in workers.keys.sorted() {
            let w = workers[pid]!
            guard !w.killed, let since = w.stopRequestedAt else { continue }
            let limit = w.state == .quitting ? policy.quickStopTimeout : policy.gracefulTimeout
            if now >= since + limit.nanoseconds {
                workers[pid]!.killed = true
                actions.append(.log(.warning, "worker slot=\(w.slot) pid=\(pid) did not stop within \(Self.format(limit.nanoseconds)); killing"))
                actions.append(.killGroup(pid: pid))
            }
        }
        // Boot deadline.
        for pid in workers.keys.sorted() {
            let w = workers[pid]!
            if w.state == .booting && !w.killed && now >= w.spawnedAt + policy.bootTimeout.nanoseconds {
                workers[pid]!.killed = true
                workers[pid]!.state = .quitting
                actions.append(.log(.error, "worker slot=\(w.slot) pid=\(pid) not ready after boot_timeout \(Self.format(policy.bootTimeout.nanoseconds)); killing"))
                actions.append(.killGroup(pid: pid))
                actions += recordBootFailure(slot: w.slot, now: now, why: "boot timeout")
            }
        }
        guard phase == .running else { return actions }
        let occupied = Set(workers.values.filter { $0.state == .booting || $0.state == .ready }.map(\.slot)).union(spawnPending)
        for slot in 0..<policy.workers where !occupied.contains(slot) && !disabledSlots.contains(slot) {
            if let at = respawnAt[slot], now < at { continue }
            respawnAt[slot] = nil
            spawnPending.insert(slot)
            actions.append(.spawn(slot: slot, generation: generation))
        }
        return actions
    }

    /// The earliest time `tick` has something to do, or nil if nothing is scheduled.
    public func nextDeadline() -> UInt64? {
        var best: UInt64?
        func consider(_ t: UInt64) { best = best.map { min($0, t) } ?? t }
        for w in workers.values where !w.killed {
            if let since = w.stopRequestedAt {
                consider(since + (w.state == .quitting ? policy.quickStopTimeout : policy.gracefulTimeout).nanoseconds)
            } else if w.state == .booting {
                consider(w.spawnedAt + policy.bootTimeout.nanoseconds)
            }
        }
        if phase == .running { for t in respawnAt.values { consider(t) } }
        return best
    }

    // MARK: queries

    public var readyCount: Int { workers.values.filter { $0.state == .ready }.count }

    public func worker(inSlot slot: Int) -> Worker? {
        workers.values.filter { $0.slot == slot && ($0.state == .booting || $0.state == .ready) }.max { $0.spawnedAt < $1.spawnedAt }
    }

    // MARK: helpers

    private mutating func recordBootFailure(slot: Int, now: UInt64, why: String) -> [Action] {
        let n = (failures[slot] ?? 0) + 1
        failures[slot] = n
        let delay = backoff(failures: n)
        respawnAt[slot] = now + delay
        return [.log(.error, "worker slot=\(slot) failed to boot (\(why)); attempt \(n), retrying in \(Self.format(delay))")]
    }

    /// base * 2^(n-1), capped.
    func backoff(failures n: Int) -> UInt64 {
        let base = policy.backoffBase.nanoseconds, cap = policy.backoffCap.nanoseconds
        let shift = min(n - 1, 40)
        let (v, overflow) = base.multipliedReportingOverflow(by: UInt64(1) << UInt64(shift))
        return overflow ? cap : min(v, cap)
    }

    static func describe(_ status: ExitStatus) -> String {
        if case .exited(let code) = status, let known = WorkerExitCode(rawValue: code) { return "\(status): \(known)" }
        return status.description
    }

    static func format(_ ns: UInt64) -> String {
        if ns < 1_000_000 { return "\(ns / 1000)µs" }
        if ns < 10_000_000_000 { return "\(ns / 1_000_000)ms" }
        return "\(ns / 1_000_000_000)s"
    }
}

extension Duration {
    /// Whole nanoseconds (non-negative durations only).
    public var nanoseconds: UInt64 {
        let (s, a) = components
        return UInt64(max(0, s)) * 1_000_000_000 + UInt64(max(0, a / 1_000_000_000))
    }

    /// From a settings value in seconds.
    public static func secondsValue(_ s: Double) -> Duration { .nanoseconds(Int64((s * 1e9).rounded())) }
}
