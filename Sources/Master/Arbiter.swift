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
    private var configFD: FileDescriptor
    private var controls: [Int32: FileDescriptor] = [:]
    private var slotsByPid: [Int32: Int] = [:]
    private let pidFile: PidFile?
    private let notifier: SystemdNotifier
    private var exitCode: Int32?

    static let handledSignals = [Signal.TERM, Signal.INT, Signal.QUIT, Signal.HUP, Signal.USR1, Signal.USR2,
                                 Signal.WINCH, Signal.TTIN, Signal.TTOU, Signal.CHLD]

    init(config: Configuration, logger: Logger, listeners: [Listener], workerBinary: String, pidFile: PidFile?,
         notifier: SystemdNotifier) throws {
        self.notifier = notifier
        self.config = config
        self.logger = logger
        self.listeners = listeners
        self.pidFile = pidFile
        var policy = Supervisor.Policy(workers: config[Settings.workers],
                                       gracefulTimeout: .secondsValue(config[Settings.gracefulTimeout]))
        policy.bootTimeout = .seconds(30)
        supervisor = Supervisor(policy: policy)
        spawner = Spawner(workerBinary: workerBinary, listeners: listeners, baseEnvironment: Spawner.inheritedEnvironment())
        signals = try SignalPipe(signals: Arbiter.handledSignals)
        (scoreboard, scoreboardFD) = try Scoreboard.create()
        configFD = try Arbiter.makeConfigFD(config)
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
        logger.info("paddock master pid=\(Process.id) listening on \(listeners.map { $0.address.description }.joined(separator: ", ")) with \(config[Settings.workers]) workers")
        perform(supervisor.start(now: Clock.monotonicNanoseconds()))
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
            if let slot = slotsByPid.removeValue(forKey: pid), scoreboard.slot(slot).pid == pid {
                scoreboard.slot(slot).state = .empty
                scoreboard.slot(slot).connections = 0
            }
            perform(supervisor.exited(pid: pid, status: status, now: Clock.monotonicNanoseconds()))
        }
        // 2. Signals, by priority.
        let pending = Set(try signals.drain())
        if pending.contains(Signal.INT) || pending.contains(Signal.QUIT) {
            logger.info("received \(Signal.name(pending.contains(Signal.INT) ? Signal.INT : Signal.QUIT)): quick stop")
            notify("STOPPING=1")
            perform(supervisor.stop(graceful: false, now: Clock.monotonicNanoseconds()))
        } else if pending.contains(Signal.TERM) {
            logger.info("received SIGTERM: graceful stop")
            notify("STOPPING=1")
            perform(supervisor.stop(graceful: true, now: Clock.monotonicNanoseconds()))
        }
        // 3. Control messages.
        for (i, pid) in pids.enumerated() where fds[i + 1].revents != 0 {
            readControl(pid)
        }
        // 4. Deadlines and worker count.
        perform(supervisor.tick(now: Clock.monotonicNanoseconds()))
    }

    private func pollTimeout() -> Int32 {
        guard let deadline = supervisor.nextDeadline() else { return 1000 }
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
            do { r = try buf.withUnsafeMutableBytes { try fd.read(into: $0) } } catch {
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
                do {
                    let (pid, control) = try spawner.spawn(slot: slot, generation: generation, configFD: configFD, scoreboardFD: scoreboardFD)
                    controls[pid] = control
                    slotsByPid[pid] = slot
                    scoreboard.slot(slot).reset(pid: pid, generation: Int32(generation), now: now)
                    queue.append(contentsOf: supervisor.spawned(slot: slot, pid: pid, generation: generation, now: now))
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
            }
        }
    }

    private func notify(_ text: String) {
        guard notifier.isEnabled else { return }
        do { try notifier.notify(text) } catch { logger.warning("sd_notify: \(error)") }
    }

    /// Sends a control message; falls back to a signal if the socket is gone.
    private func send(_ message: ControlMessage, to pid: Int32) {
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
        for l in listeners {
            if case .unix(let path) = l.address {
                do { try Files.unlink(path) } catch { logger.warning("removing socket: \(error)") }
            }
        }
        logger.info("master exiting")
    }
}
