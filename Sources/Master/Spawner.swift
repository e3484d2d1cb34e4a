import Glibc
import Posix
import ServerCore

/// Starts workers: posix_spawn + exec of `paddock-worker` with the
/// listeners, the control socket, the configuration and the scoreboard at the
/// fd numbers `WorkerContract` names. Never a bare fork() of Swift code.
struct Spawner {
    let workerBinary: String
    let listeners: [Listener]
    let baseEnvironment: [String]

    /// Finds `paddock-worker`: the setting if given, else next to this executable.
    static func locateWorker(setting: String) throws -> String {
        if !setting.isEmpty { return setting }
        let me = try Process.executablePath()
        let dir = me.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        return (dir.isEmpty ? "." : dir) + "/paddock-worker"
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
            let env = baseEnvironment + [
                "\(WorkerContract.slotVariable)=\(slot)",
                "\(WorkerContract.generationVariable)=\(generation)",
                "\(WorkerContract.listenerCountVariable)=\(n)",
                "\(WorkerContract.scoreboardIndexVariable)=\(scoreboardIndex)",
                "\(WorkerContract.adminListenerCountVariable)=\(listeners.filter(\.isAdmin).count)",
            ]
            let pid = try Process.spawn(path: workerBinary, arguments: ["paddock-worker", "serve"], environment: env,
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
