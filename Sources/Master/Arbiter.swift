import Glibc
import Posix
import ServerCore

/// The master's shell: one `poll()` loop over the signal self-pipe and the
/// workers' control sockets. It owns the listeners, the scoreboard and the
/// children, turns what happens into `Supervisor` events and carries out the
/// actions it gets back. It never touches a client socket.
///
/// Each pass, in this order: reap children, handle queued signals (stop >
/// reload > reopen logs > scaling), read control messages, evaluate deadlines.
final class Arbiter {
    private var config: Configuration
    private let logger: Logger
    private var supervisor: Supervisor
    private let listeners: [Listener]
    private let spawner: Spawner
    private let signals: SignalPipe
    private let scoreboard: Scoreboard
    private let scoreboardFD: FileDescriptor
    /// The serialized configuration of each generation still in use.
    private var configFDs: [Int: FileDescriptor] = [:]
    private var configs: [Int: Configuration] = [:]
    private var latestGeneration = 1
    /// How the master was started, to re-read the same sources on HUP.
    private let arguments: [String]
    private let environment: [String: String]
    /// TERM with shutdown_delay: readiness already answers 503; the stop begins at this time.
    private var delayedStopAt: UInt64?
    private var nextRotationCheck: UInt64 = 0
    /// Half of systemd's WATCHDOG_USEC, when the watchdog is on.
    private var watchdogInterval: UInt64?
    private var nextWatchdog: UInt64 = 0
    private var nextStatus: UInt64 = 0
    /// When the master next publishes its own process figures.
    private var nextFigures: UInt64 = 0
    private var controls: [Int32: FileDescriptor] = [:]
    /// Scoreboard entry of each live worker; entries are reused lowest first.
    private var entryByPid: [Int32: Int] = [:]
    private let pidFile: PidFile?
    private let notifier: SystemdNotifier
    private var exitCode: Int32?

    static let handledSignals = [Signal.TERM, Signal.INT, Signal.QUIT, Signal.HUP, Signal.USR1, Signal.USR2,
                                 Signal.WINCH, Signal.TTIN, Signal.TTOU, Signal.CHLD]

    /// Workers handed over by the previous image on USR2, adopted at start.
    private let inherited: UpgradeState?
    /// This program's path, read at start: after a deploy replaced the file,
    /// USR2 executes what is at this path now.
    private let executablePath: String
    /// The workers' user, when the master runs as root with `user` set.
    private let ownership: Ownership?

    init(config: Configuration, logger: Logger, listeners: [Listener], workerBinary: String, pidFile: PidFile?,
         notifier: SystemdNotifier, arguments: [String], environment: [String: String],
         inherited: UpgradeState? = nil, executablePath: String, ownership: Ownership? = nil) throws {
        self.ownership = ownership
        self.notifier = notifier
        self.arguments = arguments
        self.environment = environment
        self.inherited = inherited
        self.executablePath = executablePath
        if let usec = environment["WATCHDOG_USEC"].flatMap(UInt64.init), usec > 0,
           environment["WATCHDOG_PID"].flatMap(Int32.init).map({ $0 == Process.id }) ?? true {
            watchdogInterval = usec * 1000 / 2
        }
        self.config = config
        self.logger = logger
        self.listeners = listeners
        self.pidFile = pidFile
        supervisor = Supervisor(policy: Arbiter.policy(from: config))
        spawner = Spawner(workerBinary: workerBinary, listeners: listeners, baseEnvironment: Spawner.inheritedEnvironment())
        signals = try SignalPipe(signals: Arbiter.handledSignals)
        // A previous image blocked these before exec; handlers are in place now.
        try Signal.unblock(Arbiter.handledSignals)
        if let inherited {
            scoreboardFD = FileDescriptor(rawValue: inherited.scoreboard)
            try scoreboardFD.setCloseOnExec(true)
            scoreboard = try Scoreboard(fd: scoreboardFD)
            scoreboard.header.adoptCounters()
            latestGeneration = inherited.generation + 1
            for w in inherited.workers {
                let control = FileDescriptor(rawValue: w.control)
                try control.setCloseOnExec(true)
                try control.setNonBlocking()
                controls[w.pid] = control
                entryByPid[w.pid] = w.entry
            }
        } else {
            (scoreboard, scoreboardFD) = try Scoreboard.create()
        }
        configFDs[latestGeneration] = try Arbiter.makeConfigFD(config)
        configs[latestGeneration] = config
    }

    /// The supervisor's tunables from the settings.
    static func policy(from config: Configuration) -> Supervisor.Policy {
        Supervisor.Policy(configuration: config)
    }

    /// Writes the resolved configuration into a memfd the workers read.
    static func makeConfigFD(_ config: Configuration) throws -> FileDescriptor {
        let fd = try Files.memfd(name: "paddock-config")
        try fd.writeAll(config.serialized())
        return fd
    }

    /// Runs until the supervisor decides to exit; returns the exit code.
    func run() -> Int32 {
        if let pidFile {
            do { try pidFile.write(pid: Process.id) } catch {
                logger.critical("cannot write pidfile: \(error)")
                return 1
            }
        }
        let header = scoreboard.header
        header.masterPid = UInt64(Process.id)
        header.generation = UInt64(latestGeneration)
        header.targetWorkers = UInt64(config[Settings.workers])
        if header.startedAt == 0 { header.startedAt = UInt64(Clock.realtime().seconds) }
        publishFiguresIfDue()
        logger.info("paddock master pid=\(Process.id) listening on \(listeners.map { $0.address.description }.joined(separator: ", ")) with \(config[Settings.workers]) workers")
        if let inherited {
            let now = Clock.monotonicNanoseconds()
            perform(supervisor.adopt(inherited.workers.map { ($0.pid, $0.slot, $0.generation) }, now: now))
            logger.info("upgraded in place: pid \(Process.id) kept; replacing \(inherited.workers.count) workers with generation \(latestGeneration)")
            notify("MAINPID=\(Process.id)")
            perform(supervisor.reload(policy: Arbiter.policy(from: config), generation: latestGeneration, now: now))
        } else {
            perform(supervisor.start(now: Clock.monotonicNanoseconds()))
        }
        while exitCode == nil {
            do { try pass() } catch {
                // A failing system call in the loop itself (poll, waitpid) is
                // logged and retried after a short pause rather than busy-looping.
                logger.error("master loop: \(error)")
                Clock.sleep(milliseconds: 100)
            }
        }
        shutdown()
        return exitCode ?? 0
    }

    private func pass() throws {
        var fds = [pollfd(fd: signals.readEnd.rawValue, events: Poll.readable, revents: 0)]
        let pids = controls.keys.sorted()
        for pid in pids { fds.append(pollfd(fd: controls[pid]!.rawValue, events: Poll.readable, revents: 0)) }
        _ = try Poll.wait(&fds, timeoutMs: pollTimeout())

        // 1. Reap children.
        while let (pid, status) = try Process.reapAny() {
            closeControl(pid)
            if let entry = entryByPid.removeValue(forKey: pid) { retireEntry(entry) }
            perform(supervisor.exited(pid: pid, status: status, now: Clock.monotonicNanoseconds()))
        }
        // 2. Signals, by priority.
        handleSignals(try signals.drain())
        if let at = delayedStopAt, Clock.monotonicNanoseconds() >= at {
            delayedStopAt = nil
            logger.info("shutdown_delay over: stopping workers")
            perform(supervisor.stop(graceful: true, now: Clock.monotonicNanoseconds()))
        }
        // 3. Control messages.
        for (i, pid) in pids.enumerated() where fds[i + 1].revents != 0 {
            readControl(pid)
        }
        rotateLogsIfNeeded()
        keepSystemdInformed()
        publishFiguresIfDue()
        // 4. Deadlines and worker count.
        perform(supervisor.tick(now: Clock.monotonicNanoseconds(), samples: readScoreboard()))
        scoreboard.header.targetWorkers = UInt64(supervisor.policy.workers)
        scoreboard.header.generation = UInt64(supervisor.generation)
    }

    /// Folds an exited worker's counters into the totals and frees its entry,
    /// inside the header's sequence so readers see the counts once, not 0 or 2 times.
    private func retireEntry(_ entry: Int) {
        let header = scoreboard.header
        let e = scoreboard.slot(entry)
        header.sequence &+= 1
        if e.countersReadable { header.retired.add(e.counters) }
        e.counters.clear()
        if let figures = e.figures, let master = scoreboard.masterFigures {
            master.retire(figures, reapedChildrenNanoseconds: reapedChildrenCPU())
        }
        e.state = .empty
        e.connections = 0
        e.listening = false
        header.sequence &+= 1
    }

    /// CPU time of the reaped children, read right after a reap so the
    /// worker just reaped is in it; 0 if it cannot be read (the worker is
    /// then counted at what it last published).
    private func reapedChildrenCPU() -> UInt64 {
        do { return try Process.cpuNanoseconds(.reapedChildren) } catch {
            logger.error("\(error)")
            return 0
        }
    }

    /// About once a second, the master's own CPU, memory and descriptors
    /// for `/metrics` (each worker publishes its own in its slot).
    private func publishFiguresIfDue() {
        let now = Clock.monotonicNanoseconds()
        guard now >= nextFigures, let master = scoreboard.masterFigures else { return }
        nextFigures = now + 1_000_000_000
        master.publishOwn()
    }

    /// The scoreboard entries of live workers, for timeouts and recycling.
    private func readScoreboard() -> [Int32: Supervisor.Sample] {
        var out: [Int32: Supervisor.Sample] = [:]
        for (pid, entry) in entryByPid {
            let e = scoreboard.slot(entry)
            guard e.pid == pid else { continue }
            let start = e.requestStart
            out[pid] = Supervisor.Sample(heartbeat: e.heartbeat, requestStart: start, requests: e.requests, rss: e.rss,
                                         currentRequest: start != 0 ? e.currentRequest : "")
        }
        return out
    }

    /// Queued signals, by priority: stop > reload > reopen logs > scaling.
    private func handleSignals(_ received: [Int32]) {
        let pending = Set(received)
        let now = Clock.monotonicNanoseconds()
        if pending.contains(Signal.INT) || pending.contains(Signal.QUIT) {
            logger.info("received \(Signal.name(pending.contains(Signal.INT) ? Signal.INT : Signal.QUIT)): quick stop")
            notify("STOPPING=1")
            delayedStopAt = nil
            perform(supervisor.stop(graceful: false, now: now))
            return
        }
        if pending.contains(Signal.TERM) {
            guard delayedStopAt == nil else { return }
            notify("STOPPING=1")
            let delay = config[Settings.shutdownDelay]
            if delay > .zero, case .running = supervisor.phase {
                logger.info("received SIGTERM: readiness now 503; stopping in \(delay.settingText) (shutdown_delay)")
                for pid in controls.keys.sorted() { send(.unready, to: pid) }
                delayedStopAt = now + delay.nanoseconds
            } else {
                logger.info("received SIGTERM: graceful stop")
                perform(supervisor.stop(graceful: true, now: now))
            }
            return
        }
        guard delayedStopAt == nil, case .running = supervisor.phase else { return }
        if pending.contains(Signal.USR2) { upgrade(); return }
        if pending.contains(Signal.HUP) { reload() }
        if pending.contains(Signal.USR1) { reopenLogs() }
        if pending.contains(Signal.WINCH) {
            logger.info("received SIGWINCH")
            perform(supervisor.stopAllWorkers(now: now))
        }
        let delta = received.reduce(0) { $0 + ($1 == Signal.TTIN ? 1 : $1 == Signal.TTOU ? -1 : 0) }
        if delta != 0 { perform(supervisor.scale(by: delta, now: now)) }
    }

    /// HUP: re-read every source, validate the whole configuration, and only
    /// then apply it; on any error keep running unchanged.
    private func reload() {
        let now = Clock.monotonicNanoseconds()
        logger.info("received SIGHUP: reloading configuration")
        notify("RELOADING=1\nMONOTONIC_USEC=\(now / 1000)")
        let loaded: LoadedConfiguration
        do {
            loaded = try ConfigLoader.load(arguments: arguments, environment: environment)
        } catch {
            logger.error("reload failed, keeping the running configuration: \(error)")
            notify("READY=1\nSTATUS=reload failed: configuration error")
            return
        }
        for warning in loaded.warnings { logger.warning(warning) }
        var new = loaded.configuration
        do { try JWTSecretFile.apply(to: &new, environment: environment) } catch {
            logger.error("reload failed, keeping the running configuration: \(error)")
            notify("READY=1\nSTATUS=reload failed: configuration error")
            return
        }
        // A renewal half done (new certificate, old key) or an unreadable
        // file is refused here, before any worker is replaced.
        let tls: (certificates: [TLSCertificate], warnings: [String])
        do { tls = try TLSCheck.prepare(&new, environment: environment, now: Clock.realtime().seconds) } catch {
            logger.error("reload failed, keeping the running configuration: \(error)")
            notify("READY=1\nSTATUS=reload failed: configuration error")
            return
        }
        for warning in tls.warnings { logger.warning(warning) }
        if new[Settings.sslKtls] && !tls.certificates.isEmpty { logger.debug(KernelTLS.currentStatusLine()) }
        // Settings that need a restart keep their running value.
        for spec in Settings.all where spec.reload == .restart && new.values[spec.key] != config.values[spec.key] {
            logger.warning("\(spec.key) changed but needs a restart (or USR2); keeping the running value")
            new.set(spec.key, config.values[spec.key] ?? spec.defaultValue, from: config.source(of: spec.key))
        }
        // A generated secret must survive reloads, or every token would break.
        if let secret = config.values["jwt_secret_key"], new.values["jwt_secret_key"] == .string("") {
            new.set("jwt_secret_key", secret, from: config.source(of: "jwt_secret_key"))
        }
        // The command line is the same as at start, which already warned about it.
        if new[Settings.jwtSecretKey] != config[Settings.jwtSecretKey], let warning = JWTSecretFile.lengthWarning(new) {
            logger.warning(warning)
        }
        let fd: FileDescriptor
        do { fd = try Arbiter.makeConfigFD(new) } catch {
            logger.error("reload failed, keeping the running configuration: \(error)")
            return
        }
        var policy = Arbiter.policy(from: new)
        // TTIN/TTOU survive a reload unless the configuration changed `workers`.
        if new[Settings.workers] == config[Settings.workers] { policy.workers = supervisor.policy.workers }
        latestGeneration += 1
        configFDs[latestGeneration] = fd
        configs[latestGeneration] = new
        config = new
        logger.level = new[Settings.loglevel]
        perform(supervisor.reload(policy: policy, generation: latestGeneration, now: now))
    }

    /// WATCHDOG=1 every half watchdog interval while this loop runs (a hung
    /// master stops pinging and systemd restarts it), and a STATUS= line with
    /// workers and requests every few seconds.
    private func keepSystemdInformed() {
        guard notifier.isEnabled else { return }
        let now = Clock.monotonicNanoseconds()
        if let interval = watchdogInterval, now >= nextWatchdog {
            nextWatchdog = now + interval
            notify("WATCHDOG=1")
        }
        if now >= nextStatus {
            nextStatus = now + 5_000_000_000
            var requests: UInt64 = scoreboard.header.retired.total
            for entry in entryByPid.values { requests &+= scoreboard.slot(entry).counters.total }
            notify("STATUS=\(supervisor.readyCount) of \(supervisor.policy.workers) workers ready, \(requests) requests served")
        }
    }

    /// Size-based rotation (log_max_bytes): the master renames the chain,
    /// then every process reopens. A line written in between lands in the
    /// renamed file: nothing is lost or written twice.
    private func rotateLogsIfNeeded() {
        let maxBytes = config[Settings.logMaxBytes].count
        guard maxBytes > 0 else { return }
        let now = Clock.monotonicNanoseconds()
        guard now >= nextRotationCheck else { return }
        nextRotationCheck = now + 200_000_000
        var rotated = false
        for path in [config[Settings.errorlog], config[Settings.accesslog]] where !path.isEmpty && path != "-" {
            do {
                if try LogRotation.rotateIfNeeded(path: path, maxBytes: maxBytes, backups: config[Settings.logBackupCount]) { rotated = true }
            } catch {
                logger.error("rotating \(path): \(error)")
            }
        }
        guard rotated else { return }
        reopenOwnLogAndPrepareFiles()
        for pid in controls.keys.sorted() { send(.reopenLogs, to: pid) }
    }

    /// USR2: replace this master's program image in place (same PID, so
    /// systemd keeps tracking it), handing over listeners, scoreboard and
    /// workers; the new image adopts the workers and replaces them one slot at
    /// a time. If the exec fails, this image keeps running unchanged.
    private func upgrade() {
        logger.info("received SIGUSR2: re-executing \(executablePath) in place")
        notify("RELOADING=1\nMONOTONIC_USEC=\(Clock.monotonicNanoseconds() / 1000)")
        var state = UpgradeState()
        state.listeners = listeners.map { $0.fd.rawValue }
        state.adminListeners = listeners.filter(\.isAdmin).count
        state.scoreboard = scoreboardFD.rawValue
        state.generation = latestGeneration
        if MasterMain.generatedSecret { state.secret = config[Settings.jwtSecretKey] }
        for pid in controls.keys.sorted() {
            guard let w = supervisor.workers[pid], w.state == .ready || w.state == .booting, let entry = entryByPid[pid] else { continue }
            state.workers.append(.init(pid: pid, slot: w.slot, generation: w.generation, entry: entry, control: controls[pid]!.rawValue))
        }
        let inheritedFDs = state.listeners + [state.scoreboard] + state.workers.map(\.control)
        var stateFD: FileDescriptor?
        do {
            let fd = try Files.memfd(name: "paddock-upgrade")
            stateFD = fd
            try fd.writeAll(state.serialized())
            for n in inheritedFDs + [fd.rawValue] { try FileDescriptor(rawValue: n).setCloseOnExec(false) }
            var env = environment.filter { !WorkerContract.masterOnlyVariables.contains($0.key) || UpgradeState.keptForSystemd.contains($0.key) }
            env[UpgradeState.variable] = "\(fd.rawValue)"
            // Signals stay pending across exec until the new image has its handlers.
            try Signal.block(Arbiter.handledSignals)
            try Process.exec(path: executablePath, arguments: [executablePath] + arguments, environment: env.map { "\($0.key)=\($0.value)" })
        } catch {
            logger.error("upgrade failed, the running master continues: \(error)")
            do { try Signal.unblock(Arbiter.handledSignals) } catch { logger.error("\(error)") }
            for n in inheritedFDs {
                do { try FileDescriptor(rawValue: n).setCloseOnExec(true) } catch { logger.error("\(error)") }
            }
            if let e = stateFD?.closeAfterFailure() { logger.debug("\(e)") }
            notify("READY=1\nSTATUS=upgrade failed")
        }
    }

    /// Creates the files workers will reopen, owned by their user (after a
    /// rename they would otherwise be created by root, or not at all), then
    /// reopens the master's error log. A path that cannot be used (a symbolic
    /// link planted there) is logged, and the master keeps the file it has.
    private func reopenOwnLogAndPrepareFiles() {
        if let ownership {
            for path in [config[Settings.errorlog], config[Settings.accesslog]] {
                do { try ownership.prepare(file: path) } catch { logger.error("preparing \(path): \(error)") }
            }
        }
        do { try logger.reopen() } catch { logger.error("reopening the error log: \(error)") }
    }

    private func reopenLogs() {
        logger.info("received SIGUSR1: reopening log files")
        reopenOwnLogAndPrepareFiles()
        for pid in controls.keys.sorted() { send(.reopenLogs, to: pid) }
    }

    private func pollTimeout() -> Int32 {
        let rotation: UInt64? = config[Settings.logMaxBytes] > 0 ? nextRotationCheck : nil
        let candidates = [supervisor.nextDeadline(), delayedStopAt, watchdogInterval.map { _ in nextWatchdog }, rotation].compactMap { $0 }
        guard let deadline = candidates.min() else { return 1000 }
        let now = Clock.monotonicNanoseconds()
        if deadline <= now { return 0 }
        // Round up so the loop never wakes a hair before the deadline and spins.
        return Int32(min(1000, (deadline - now + 999_999) / 1_000_000))
    }

    private func readControl(_ pid: Int32) {
        guard let fd = controls[pid] else { return }
        var buf = [UInt8](repeating: 0, count: 64)
        while true {
            let r: IOResult<Int>
            do { r = try buf.withUnsafeMutableBytes { try fd.read(into: $0) } } catch let e as SystemError where e.errno == .ECONNRESET {
                // A worker that exits with a command still unread resets the
                // socket: the same as end-of-file here; reaping reports why.
                closeControl(pid)
                return
            } catch {
                logger.warning("control socket of pid=\(pid): \(error)")
                closeControl(pid)
                return
            }
            switch r {
            case .wouldBlock: return
            case .done(0):
                // The worker closed its end (exiting); reaping reports why.
                closeControl(pid)
                return
            case .done(let n):
                for byte in buf[0..<n] {
                    switch ControlMessage(rawValue: byte) {
                    case .ready?: perform(supervisor.ready(pid: pid, now: Clock.monotonicNanoseconds()))
                    case .draining?: logger.debug("worker pid=\(pid) draining")
                    default: logger.warning("unexpected control byte \(byte) from pid=\(pid)")
                    }
                }
            }
        }
    }

    private func closeControl(_ pid: Int32) {
        if let fd = controls.removeValue(forKey: pid), let e = fd.closeAfterFailure() {
            logger.warning("closing control socket of pid=\(pid): \(e)")
        }
    }

    private func perform(_ actions: [Supervisor.Action]) {
        var queue = actions[...]
        while let action = queue.popFirst() {
            switch action {
            case .spawn(let slot, let generation):
                let now = Clock.monotonicNanoseconds()
                let used = Set(entryByPid.values)
                guard let entry = (0..<scoreboard.slots).first(where: { !used.contains($0) }) else {
                    queue.append(contentsOf: supervisor.spawnFailed(slot: slot, reason: "scoreboard full", now: now))
                    continue
                }
                // Claim the entry before the worker runs so it never sees stale data.
                scoreboard.slot(entry).reset(pid: 0, generation: Int32(generation), now: now, slot: slot)
                do {
                    guard let configFD = configFDs[generation] else {
                        throw SystemError("memfd_create", .EBADF, context: "no configuration for generation \(generation)")
                    }
                    let (pid, control) = try spawner.spawn(slot: slot, generation: generation, scoreboardIndex: entry,
                                                           configFD: configFD, scoreboardFD: scoreboardFD)
                    controls[pid] = control
                    entryByPid[pid] = entry
                    scoreboard.slot(entry).pid = pid
                    let jitter = config[Settings.maxRequestsJitter]
                    let limit = config[Settings.maxRequests] > 0 ? config[Settings.maxRequests] + (jitter > 0 ? Int.random(in: 0...jitter) : 0) : 0
                    queue.append(contentsOf: supervisor.spawned(slot: slot, pid: pid, generation: generation, now: now, requestLimit: limit))
                } catch {
                    queue.append(contentsOf: supervisor.spawnFailed(slot: slot, reason: "\(error)", now: now))
                }
            case .send(let pid, let message):
                send(message, to: pid)
            case .killGroup(let pid):
                do { try Process.killGroup(pid, Signal.KILL) } catch { logger.error("\(error)") }
            case .log(let level, let message):
                logger.log(level, message)
            case .becameReady:
                logger.info("all \(config[Settings.workers]) workers ready")
                notify("READY=1\nSTATUS=\(supervisor.readyCount) of \(config[Settings.workers]) workers ready\nMAINPID=\(Process.id)")
            case .exit(let code):
                exitCode = code
            case .countRestart(let reason):
                scoreboard.header.countRestart(reason)
            case .abort(let pid):
                do { try Process.kill(pid, Signal.ABRT) } catch { logger.error("\(error)") }
            case .rolloutFinished(let generation, let succeeded):
                if succeeded {
                    // Older configurations are no longer needed by any new spawn.
                    for g in configFDs.keys where g < generation {
                        if let e = configFDs.removeValue(forKey: g)?.closeAfterFailure() { logger.debug("\(e)") }
                        configs[g] = nil
                    }
                    notify("READY=1\nSTATUS=reloaded: generation \(generation)")
                } else {
                    if let e = configFDs.removeValue(forKey: generation)?.closeAfterFailure() { logger.debug("\(e)") }
                    configs[generation] = nil
                    // Back to the configuration the running workers were started with.
                    if let running = configs[supervisor.generation] {
                        config = running
                        queue.append(contentsOf: supervisor.restore(policy: Arbiter.policy(from: running), now: Clock.monotonicNanoseconds()))
                    }
                    notify("READY=1\nSTATUS=reload failed: new workers did not boot")
                }
            }
        }
    }

    private func notify(_ text: String) {
        guard notifier.isEnabled else { return }
        do { try notifier.notify(text) } catch { logger.warning("sd_notify: \(error)") }
    }

    /// Sends a control message; falls back to a signal if the socket is gone.
    private func send(_ message: ControlMessage, to pid: Int32) {
        if message == .drain || message == .quit, let entry = entryByPid[pid] { scoreboard.slot(entry).drainRequested = true }
        var byte = message.rawValue
        if let fd = controls[pid] {
            do {
                if case .done = try withUnsafeBytes(of: &byte, { try fd.write($0) }) { return }
            } catch {
                logger.debug("control write to pid=\(pid) failed (\(error)); signalling instead")
            }
        }
        let sig: Int32
        switch message {
        case .drain: sig = Signal.TERM
        case .quit: sig = Signal.QUIT
        case .reopenLogs: sig = Signal.USR1
        default: return
        }
        do { try Process.kill(pid, sig) } catch { logger.error("\(error)") }
    }

    private func shutdown() {
        if let pidFile {
            do { try pidFile.remove(pid: Process.id) } catch { logger.warning("removing pidfile: \(error)") }
        }
        for l in listeners where l.ownsPath {
            if case .unix(let path) = l.address {
                do { try Files.unlink(path) } catch { logger.warning("removing socket: \(error)") }
            }
        }
        logger.info("master exiting")
    }
}
