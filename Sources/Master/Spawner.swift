import Glibc
import Posix
import ServerCore

/// Starts workers: posix_spawn + exec of the master's own executable in
/// worker mode (`WorkerContract.workerArgument`) with the
/// listeners, the control socket, the configuration, the scoreboard and the
/// TLS session ticket keys at the fd numbers `WorkerContract` names. Never a
/// bare fork() of Swift code.
struct Spawner {
    let workerBinary: String
    let listeners: [Listener]
    let baseEnvironment: [String]
    /// Made once with the spawner, at the master's start, and handed to
    /// every worker after it, across reloads.
    let ticketKeys = SessionTicketKeys()

    /// What workers run: `worker_binary` if set (a wrapper such as a
    /// profiler that execs the real binary), else the master's own executable.
    static func workerExecutable(setting: String, executablePath: String) -> String {
        setting.isEmpty ? executablePath : setting
    }

    /// The running executable, resolved once at the master's start. If the
    /// binary was replaced since (a deploy), the link reads "PATH (deleted)":
    /// PATH is the new one, which the next spawn runs. The C function is `readlink(2)`.
    static func ownExecutable() throws -> String {
        let p = try Process.executablePath()
        return p.hasSuffix(" (deleted)") ? String(p.dropLast(10)) : p
    }

    /// The environment every worker gets: the master's, less what only
    /// describes the master (systemd's socket activation and notify variables).
    static func inheritedEnvironment() -> [String] {
        var out: [String] = []
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            let name = s.split(separator: "=", maxSplits: 1).first.map(String.init) ?? s
            if !WorkerContract.masterOnlyVariables.contains(name) && !name.hasPrefix("PADDOCK_WORKER_") { out.append(s) }
            p += 1
        }
        return out
    }

    /// Spawns one worker. Returns its pid and the master's end of the control socket.
    func spawn(slot: Int, generation: Int, scoreboardIndex: Int, configFD: FileDescriptor, scoreboardFD: FileDescriptor) throws -> (pid: Int32, control: FileDescriptor) {
        let (masterEnd, workerEnd) = try Socket.pair()
        do {
            let n = listeners.count
            var fds: [(source: FileDescriptor, target: Int32)] = []
            for (i, l) in listeners.enumerated() { fds.append((l.fd, WorkerContract.firstListenerFD + Int32(i))) }
            fds.append((workerEnd, WorkerContract.controlFD(listeners: n)))
            fds.append((configFD, WorkerContract.configFD(listeners: n)))
            fds.append((scoreboardFD, WorkerContract.scoreboardFD(listeners: n)))
            fds.append((try ticketKeys.memfd(), WorkerContract.ticketKeysFD(listeners: n)))
            let env = baseEnvironment + [
                "\(WorkerContract.slotVariable)=\(slot)",
                "\(WorkerContract.generationVariable)=\(generation)",
                "\(WorkerContract.listenerCountVariable)=\(n)",
                "\(WorkerContract.scoreboardIndexVariable)=\(scoreboardIndex)",
                "\(WorkerContract.adminListenerCountVariable)=\(listeners.filter(\.isAdmin).count)",
            ]
            let pid = try Process.spawn(path: workerBinary, arguments: [workerBinary, WorkerContract.workerArgument], environment: env,
                                        fds: fds, newProcessGroup: true)
            try workerEnd.close()
            try masterEnd.setNonBlocking()
            return (pid, masterEnd)
        } catch {
            masterEnd.closeAfterFailure()
            workerEnd.closeAfterFailure()
            throw error
        }
    }
}
