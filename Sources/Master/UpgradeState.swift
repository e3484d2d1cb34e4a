import Posix
import ServerCore

/// What the master hands its own next image across `execve` on USR2: the
/// listeners, the scoreboard, every worker with its control socket, and the
/// generated JWT secret. Written to a memfd whose number travels in
/// `PADDOCK_UPGRADE_FD`; the fds it names are inherited (close-on-exec cleared).
struct UpgradeState: Equatable {
    struct AdoptedWorker: Equatable {
        var pid: Int32
        var slot: Int
        var generation: Int
        var entry: Int
        var control: Int32
    }

    static let variable = "PADDOCK_UPGRADE_FD"

    /// The master-only variables the new image keeps: it is the same
    /// process, still systemd's main one, so it goes on notifying and pinging
    /// the watchdog (WATCHDOG_PID is still its pid). The LISTEN_* ones are
    /// dropped: the listeners arrive in the upgrade state instead.
    static let keptForSystemd: Set<String> = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"]

    var listeners: [Int32] = []
    /// How many of `listeners`, from the end, are admin listeners.
    var adminListeners = 0
    var scoreboard: Int32 = -1
    var generation = 1
    var workers: [AdoptedWorker] = []
    /// The generated JWT secret (empty when it was configured).
    var secret = ""

    func serialized() -> String {
        var out = "listeners=\(listeners.map(String.init).joined(separator: ","))\nadmin=\(adminListeners)\n"
        out += "scoreboard=\(scoreboard)\ngeneration=\(generation)\nsecret=\(secret)\n"
        for w in workers { out += "worker=\(w.pid),\(w.slot),\(w.generation),\(w.entry),\(w.control)\n" }
        return out
    }

    init() {}

    init?(text: String) {
        for line in text.split(separator: "\n") {
            let kv = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard kv.count == 2 else { return nil }
            let value = String(kv[1])
            switch kv[0] {
            case "listeners": listeners = value.isEmpty ? [] : value.split(separator: ",").compactMap { Int32($0) }
            case "admin": guard let v = Int(value) else { return nil }; adminListeners = v
            case "scoreboard": guard let v = Int32(value) else { return nil }; scoreboard = v
            case "generation": guard let v = Int(value) else { return nil }; generation = v
            case "secret": secret = value
            case "worker":
                let f = value.split(separator: ",").compactMap { Int($0) }
                guard f.count == 5 else { return nil }
                workers.append(AdoptedWorker(pid: Int32(f[0]), slot: f[1], generation: f[2], entry: f[3], control: Int32(f[4])))
            default: return nil
            }
        }
        guard scoreboard >= 0 else { return nil }
    }

    /// Reads the state the previous image left, if this process was started by USR2.
    static func inherited(environment: [String: String]) throws -> UpgradeState? {
        guard let text = environment[variable], let n = Int32(text) else { return nil }
        let fd = FileDescriptor(rawValue: n)
        let bytes = try fd.readAllFromStart()
        try fd.close()
        guard let state = UpgradeState(text: String(decoding: bytes, as: UTF8.self)) else {
            throw SystemError("read", .EINVAL, context: "\(variable): malformed upgrade state")
        }
        return state
    }
}
