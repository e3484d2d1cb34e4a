import Posix
import ServerCore

/// The master's decisions, as a pure state machine: events in, actions out.
/// No system calls and no clock of its own (`now` is monotonic nanoseconds,
/// passed in), so every rule is tested in microseconds with a manual clock.
/// `Arbiter` is the thin shell that turns actions into system calls.
public struct Supervisor {
    /// Tunables, from the settings: built from a `Configuration`, so every
    /// default is the settings table's (`Supervisor+Policy.swift`).
    public struct Policy: Sendable, Equatable {
        public var workers: Int
        public var gracefulTimeout: Duration
        /// After INT or QUIT, how long workers have before they are killed.
        public var quickStopTimeout: Duration
        public var bootTimeout: Duration
        /// First delay after a boot failure; doubles per consecutive failure.
        /// An implementation constant: small enough that one failed boot
        /// (a port clash, a database restarting) costs nothing noticeable.
        public var backoffBase: Duration = .milliseconds(100)
        public var backoffCap: Duration
        /// A request handler (or a frozen loop) running longer is aborted. Zero disables.
        public var timeout: Duration
        /// After SIGABRT, how long before SIGKILL of the worker's process group.
        public var abortGrace: Duration
        /// Recycle a worker after this many requests (0 = never); each worker
        /// gets its own limit with jitter, drawn by the shell at spawn.
        public var maxRequests: Int
        /// Recycle a worker whose RSS exceeds this many bytes (0 = never).
        public var maxWorkerMemory: Int
        /// A gap between two ticks longer than this means the master itself
        /// was not running (SIGSTOP, suspend): skip one kill pass.
        public var clockJump: Duration
    }

    public enum WorkerState: String, Sendable { case booting, ready, draining, quitting, aborting }

    /// What the shell read from a worker's scoreboard entry.
    public struct Sample: Sendable, Equatable {
        public var heartbeat: UInt64
        public var requestStart: UInt64
        public var requests: UInt64
        public var rss: UInt64
        public var currentRequest: String
        public init(heartbeat: UInt64, requestStart: UInt64 = 0, requests: UInt64 = 0, rss: UInt64 = 0, currentRequest: String = "") {
            self.heartbeat = heartbeat
            self.requestStart = requestStart
            self.requests = requests
            self.rss = rss
            self.currentRequest = currentRequest
        }
    }

    /// Why a slot's worker is being replaced by a new one.
    public enum ReplacementReason: Sendable, Equatable, CustomStringConvertible {
        case rollout, maxRequests, maxMemory
        public var description: String {
            switch self {
            case .rollout: return "reload"
            case .maxRequests: return "max_requests"
            case .maxMemory: return "max_worker_memory"
            }
        }
    }

    /// One slot's worker being replaced: the new one must be ready before
    /// the old one is told to drain.
    public struct Replacement: Sendable, Equatable {
        public let slot: Int
        public let old: Int32
        public var new: Int32?
        public let reason: ReplacementReason
        public let generation: Int
    }

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
        /// When SIGABRT was sent for a timeout.
        public var abortedAt: UInt64?
        /// This worker's recycling threshold (max_requests + its jitter), 0 = none.
        public var requestLimit: Int = 0
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
        /// SIGABRT to the worker (a timed-out request); SIGKILL follows after `abortGrace`.
        case abort(pid: Int32)
        /// A reload's rollout ended: every slot runs `generation`, or it was
        /// stopped because new workers failed to boot (`succeeded == false`).
        case rolloutFinished(generation: Int, succeeded: Bool)
        /// A worker is replaced, for /metrics.
        case countRestart(RestartReason)
    }

    public private(set) var policy: Policy
    public private(set) var phase: Phase = .running
    public private(set) var workers: [Int32: Worker] = [:]
    /// The generation new workers get (the last configuration known to boot).
    public private(set) var generation = 1
    /// A reload's generation being rolled out, slot by slot.
    public private(set) var rolloutGeneration: Int?
    private var rolloutSlots: [Int] = []
    /// At most one replacement at a time, so capacity never drops by more than
    /// the one worker being swapped.
    public private(set) var replacement: Replacement?
    private var lastTick: UInt64?
    private var samples: [Int32: Sample] = [:]
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

    /// The shell spawned a worker for `slot`. `requestLimit` is its
    /// max_requests threshold with jitter (0 = none).
    public mutating func spawned(slot: Int, pid: Int32, generation: Int, now: UInt64, requestLimit: Int = 0) -> [Action] {
        spawnPending.remove(slot)
        var w = Worker(pid: pid, slot: slot, generation: generation, state: .booting, spawnedAt: now)
        w.requestLimit = requestLimit
        workers[pid] = w
        if var r = replacement, r.slot == slot, r.new == nil { r.new = pid; replacement = r }
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
        var actions: [Action] = []
        if let r = replacement, r.slot == slot, r.new == nil { actions += abandonReplacement(r, why: "spawn failed: \(reason)") }
        return actions + recordBootFailure(slot: slot, now: now, why: "spawn failed: \(reason)") + tick(now: now)
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
        if let r = replacement, r.new == pid {
            // The replacement serves: now, and only now, retire the old worker.
            replacement = nil
            if var old = workers[r.old], old.state == .ready || old.state == .booting {
                old.state = .draining
                old.stopRequestedAt = now
                workers[r.old] = old
                actions.append(.log(.info, "retiring worker slot=\(r.slot) pid=\(r.old) (\(r.reason)); replaced by pid=\(pid)"))
                actions.append(.send(pid: r.old, .drain))
            }
        }
        if !announcedReady && phase == .running && readyCount >= policy.workers {
            announcedReady = true
            actions.append(.becameReady)
        }
        return actions + tick(now: now)
    }

    /// A child was reaped.
    public mutating func exited(pid: Int32, status: ExitStatus, now: UInt64) -> [Action] {
        guard let w = workers.removeValue(forKey: pid) else {
            return [.log(.debug, "reaped unknown child pid=\(pid) (\(status))")]
        }
        samples[pid] = nil
        var actions: [Action] = []
        if let r = replacement, r.old == pid {
            // The worker being replaced died first: its replacement simply takes the slot.
            replacement = nil
        }
        if let r = replacement, r.new == pid {
            actions += abandonReplacement(r, why: "new worker exited during boot (\(Self.describe(status)))")
        }
        let expected = w.state == .draining || w.state == .quitting
        if w.state == .aborting {
            actions.append(.countRestart(.timeout))
            actions.append(.log(.error, "worker slot=\(w.slot) pid=\(pid) killed after timeout (\(status)); respawning"))
        } else if expected && !w.killed {
            actions.append(.log(.info, "worker exited slot=\(w.slot) pid=\(pid) (\(status))"))
        } else if w.killed {
            actions.append(.log(.warning, "worker killed slot=\(w.slot) pid=\(pid) after its stop deadline (\(status))"))
        } else if status == .exited(WorkerExitCode.fatalConfig.rawValue) {
            disabledSlots.insert(w.slot)
            actions.append(.log(.critical, "worker slot=\(w.slot) pid=\(pid) exited with a fatal configuration error; slot not respawned"))
        } else if w.state == .booting {
            actions += recordBootFailure(slot: w.slot, now: now, why: "exited during boot (\(Self.describe(status)))")
        } else {
            actions.append(.countRestart(.crash))
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
        if workers.isEmpty && spawnPending.isEmpty && !disabledSlots.isEmpty && disabledSlots.count >= policy.workers {
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
        replacement = nil
        rolloutGeneration = nil
        rolloutSlots = []
        var actions: [Action] = [.log(.info, graceful ? "graceful stop: draining \(workers.count) workers" : "quick stop")]
        for pid in workers.keys.sorted() {
            let w = workers[pid]!
            if w.state == .aborting { continue }
            // A quick stop shortens a graceful drain already under way.
            if w.state == .draining && graceful { continue }
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

    /// HUP with a validated new configuration: apply the new policy at once
    /// (worker count, timeouts), then replace every slot's worker one at a
    /// time with one of `generation`, each new worker ready before the old
    /// one drains. New workers that fail to boot stop the rollout; the old
    /// ones keep serving.
    public mutating func reload(policy newPolicy: Policy, generation newGeneration: Int, now: UInt64) -> [Action] {
        guard phase == .running else { return [] }
        policy = newPolicy
        disabledSlots.removeAll()
        failures.removeAll()
        respawnAt.removeAll()
        var actions: [Action] = [.log(.info, "reloading: rolling out generation \(newGeneration) to \(policy.workers) workers, one at a time")]
        if let r = replacement, let newPid = r.new, var w = workers[newPid], w.state == .booting {
            // A replacement from the previous rollout still booting is stale now.
            w.state = .quitting
            w.stopRequestedAt = now
            workers[newPid] = w
            actions.append(.send(pid: newPid, .quit))
        }
        replacement = nil
        rolloutGeneration = newGeneration
        rolloutSlots = Array(0..<policy.workers)
        return actions + tick(now: now)
    }

    /// Replaces the tunables without a rollout (a failed reload restoring the
    /// configuration that runs).
    public mutating func restore(policy p: Policy, now: UInt64) -> [Action] {
        policy = p
        return tick(now: now)
    }

    /// After an in-place upgrade (USR2): the new master image takes over the
    /// workers the old one ran. They count as ready; `generation` is the
    /// newest of theirs. The shell follows with `reload` to replace them.
    public mutating func adopt(_ adopted: [(pid: Int32, slot: Int, generation: Int)], now: UInt64) -> [Action] {
        var actions: [Action] = []
        for a in adopted {
            var w = Worker(pid: a.pid, slot: a.slot, generation: a.generation, state: .ready, spawnedAt: now)
            w.readyAt = now
            workers[a.pid] = w
            generation = max(generation, a.generation)
            actions.append(.log(.info, "adopted worker slot=\(a.slot) pid=\(a.pid) generation=\(a.generation)"))
        }
        announcedReady = true
        return actions
    }

    /// TTIN / TTOU: one worker more or fewer (never below one).
    public mutating func scale(by delta: Int, now: UInt64) -> [Action] {
        guard phase == .running else { return [] }
        let target = max(delta < 0 ? 1 : 0, policy.workers + delta)
        guard target != policy.workers else { return [.log(.info, "keeping \(policy.workers) workers (minimum 1)")] }
        policy.workers = target
        return [.log(.info, "workers now \(target)")] + tick(now: now)
    }

    /// WINCH: gracefully stop every worker, keep the master and listeners.
    /// HUP or TTIN brings workers back.
    public mutating func stopAllWorkers(now: UInt64) -> [Action] {
        guard phase == .running else { return [] }
        policy.workers = 0
        rolloutGeneration = nil
        rolloutSlots = []
        return [.log(.info, "stopping all workers; the master keeps the listeners")] + tick(now: now)
    }

    /// Periodic evaluation: deadlines, timeouts, rollout and recycling, and
    /// bringing the worker count to target. `samples` are the workers'
    /// scoreboard entries read by the shell.
    public mutating func tick(now: UInt64, samples newSamples: [Int32: Sample]? = nil) -> [Action] {
        if let newSamples { samples = newSamples }
        var actions: [Action] = []
        // A long gap since the previous tick means the master itself did not
        // run (stopped, suspended): every heartbeat looks stale at once.
        // Skip one kill pass instead of killing every worker.
        var skipKills = false
        if let last = lastTick, now > last, now - last > policy.clockJump.nanoseconds {
            skipKills = true
            actions.append(.log(.warning, "master loop was paused for \(Self.format(now - last)); skipping one timeout check"))
        }
        lastTick = now
        // Deadlines for workers asked to stop.
        for pid in workers.keys.sorted() {
            let w = workers[pid]!
            guard !w.killed, let since = w.stopRequestedAt, w.state == .draining || w.state == .quitting else { continue }
            let limit = w.state == .quitting ? policy.quickStopTimeout : policy.gracefulTimeout
            if now >= since + limit.nanoseconds {
                workers[pid]!.killed = true
                actions.append(.log(.warning, "worker slot=\(w.slot) pid=\(pid) did not stop within \(Self.format(limit.nanoseconds)); killing"))
                actions.append(.killGroup(pid: pid))
            }
        }
        // Aborted workers that did not die within abort_grace.
        for pid in workers.keys.sorted() {
            let w = workers[pid]!
            if w.state == .aborting, !w.killed, let at = w.abortedAt, now >= at + policy.abortGrace.nanoseconds {
                workers[pid]!.killed = true
                actions.append(.killGroup(pid: pid))
            }
        }
        // Boot deadline.
        for pid in workers.keys.sorted() {
            let w = workers[pid]!
            if w.state == .booting && !w.killed && now >= w.spawnedAt + policy.bootTimeout.nanoseconds {
                workers[pid]!.killed = true
                workers[pid]!.state = .quitting
                workers[pid]!.stopRequestedAt = now
                actions.append(.log(.error, "worker slot=\(w.slot) pid=\(pid) not ready after boot_timeout \(Self.format(policy.bootTimeout.nanoseconds)); killing"))
                actions.append(.killGroup(pid: pid))
                if let r = replacement, r.new == pid { actions += abandonReplacement(r, why: "boot timeout") }
                actions += recordBootFailure(slot: w.slot, now: now, why: "boot timeout")
            }
        }
        // Request timeouts and frozen loops, from the scoreboard.
        if !skipKills && policy.timeout > .zero {
            let limit = policy.timeout.nanoseconds
            for pid in workers.keys.sorted() {
                let w = workers[pid]!
                guard w.state == .ready || w.state == .draining, !w.killed, let sample = samples[pid] else { continue }
                let stuckRequest = sample.requestStart != 0 && now > sample.requestStart && now - sample.requestStart >= limit
                let frozenLoop = sample.heartbeat != 0 && now > sample.heartbeat && now - sample.heartbeat >= limit
                guard stuckRequest || frozenLoop else { continue }
                workers[pid]!.state = .aborting
                workers[pid]!.abortedAt = now
                let what = stuckRequest
                    ? "handling \"\(sample.currentRequest)\" for \(Self.format(now - sample.requestStart))"
                    : "event loop silent for \(Self.format(now - sample.heartbeat))"
                actions.append(.log(.error, "timeout: worker slot=\(w.slot) pid=\(pid) \(what) (timeout \(Self.format(limit))); aborting"))
                actions.append(.abort(pid: pid))
                if let r = replacement, r.old == pid { replacement = nil }
            }
        }
        guard phase == .running else { return actions }
        // Retire slots above the target (TTOU, WINCH, a smaller reload).
        for pid in workers.keys.sorted() {
            let w = workers[pid]!
            if w.slot >= policy.workers && (w.state == .ready || w.state == .booting) {
                workers[pid]!.state = .draining
                workers[pid]!.stopRequestedAt = now
                actions.append(.log(.info, "retiring worker slot=\(w.slot) pid=\(pid) (workers now \(policy.workers))"))
                actions.append(.send(pid: pid, .drain))
                if let r = replacement, r.slot == w.slot { replacement = nil }
            }
        }
        rolloutSlots.removeAll { $0 >= policy.workers }
        // Fill empty slots.
        let occupied = Set(workers.values.filter { $0.state == .booting || $0.state == .ready }.map(\.slot)).union(spawnPending)
        for slot in 0..<policy.workers where !occupied.contains(slot) && !disabledSlots.contains(slot) {
            if let at = respawnAt[slot], now < at { continue }
            respawnAt[slot] = nil
            spawnPending.insert(slot)
            // A slot the rollout already moved stays on the new generation.
            let g = rolloutGeneration.map { rolloutSlots.contains(slot) ? generation : $0 } ?? generation
            actions.append(.spawn(slot: slot, generation: g))
        }
        actions += advanceReplacements(now: now)
        return actions
    }

    /// Starts the next replacement when none is in flight: the rollout's next
    /// slot first, then recycling (max_requests, max_worker_memory).
    private mutating func advanceReplacements(now: UInt64) -> [Action] {
        guard replacement == nil else { return [] }
        if let target = rolloutGeneration {
            while let slot = rolloutSlots.first {
                guard let current = worker(inSlot: slot) else {
                    // Empty or backing off: it will be filled with the new generation when done.
                    if spawnPending.contains(slot) || respawnAt[slot] != nil { return [] }
                    rolloutSlots.removeFirst()
                    continue
                }
                if current.generation >= target { rolloutSlots.removeFirst(); continue }
                guard current.state == .ready else { return [] }
                return beginReplacement(slot: slot, old: current.pid, reason: .rollout, generation: target)
            }
            // Every slot runs the new generation.
            generation = target
            rolloutGeneration = nil
            return [.log(.info, "reload complete: every worker runs generation \(target)"),
                    .rolloutFinished(generation: target, succeeded: true)]
        }
        for pid in workers.keys.sorted() {
            let w = workers[pid]!
            guard w.state == .ready, let sample = samples[pid] else { continue }
            if w.requestLimit > 0 && sample.requests >= UInt64(w.requestLimit) {
                return beginReplacement(slot: w.slot, old: pid, reason: .maxRequests, generation: generation)
            }
            if policy.maxWorkerMemory > 0 && sample.rss > UInt64(policy.maxWorkerMemory) {
                return beginReplacement(slot: w.slot, old: pid, reason: .maxMemory, generation: generation)
            }
        }
        return []
    }

    private mutating func beginReplacement(slot: Int, old: Int32, reason: ReplacementReason, generation g: Int) -> [Action] {
        replacement = Replacement(slot: slot, old: old, new: nil, reason: reason, generation: g)
        spawnPending.insert(slot)
        let counted: RestartReason = reason == .rollout ? .reload : reason == .maxRequests ? .maxRequests : .maxMemory
        return [.countRestart(counted), .log(.info, "replacing worker slot=\(slot) pid=\(old) (\(reason)): starting its successor first"),
                .spawn(slot: slot, generation: g)]
    }

    /// A replacement's new worker failed: keep the old one. During a rollout
    /// this stops the rollout: the new configuration does not boot.
    private mutating func abandonReplacement(_ r: Replacement, why: String) -> [Action] {
        replacement = nil
        guard r.reason == .rollout, let target = rolloutGeneration else {
            return [.log(.error, "could not replace worker slot=\(r.slot) pid=\(r.old): \(why); keeping it")]
        }
        rolloutGeneration = nil
        rolloutSlots = []
        return [.log(.error, "reload failed: generation \(target) worker for slot=\(r.slot) \(why); stopping the rollout, generation \(generation) keeps serving"),
                .rolloutFinished(generation: target, succeeded: false)]
    }

    /// The earliest time `tick` has something to do, or nil if nothing is scheduled.
    public func nextDeadline() -> UInt64? {
        var best: UInt64?
        func consider(_ t: UInt64) { best = best.map { min($0, t) } ?? t }
        for w in workers.values where !w.killed {
            if w.state == .aborting, let at = w.abortedAt {
                consider(at + policy.abortGrace.nanoseconds)
            } else if let since = w.stopRequestedAt {
                consider(since + (w.state == .quitting ? policy.quickStopTimeout : policy.gracefulTimeout).nanoseconds)
            } else if w.state == .booting {
                consider(w.spawnedAt + policy.bootTimeout.nanoseconds)
            }
            if policy.timeout > .zero, w.state == .ready, let sample = samples[w.pid] {
                if sample.requestStart != 0 { consider(sample.requestStart + policy.timeout.nanoseconds) }
                if sample.heartbeat != 0 { consider(sample.heartbeat + policy.timeout.nanoseconds) }
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
        return [.countRestart(.bootFailure), .log(.error, "worker slot=\(slot) failed to boot (\(why)); attempt \(n), retrying in \(Self.format(delay))")]
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
