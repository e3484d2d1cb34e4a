import Posix

/// Process titles from `proc_name`, as gunicorn sets them with setproctitle:
/// `ps` and /proc/PID/cmdline show `paddock: master [NAME]` and
/// `paddock: worker N [NAME]`; the kernel's 15-byte name (/proc/PID/comm,
/// `top`, `pgrep`) is NAME for the master and NAME-wN for worker N.
public enum ProcessTitle {
    /// The kernel keeps 15 bytes of a process name (TASK_COMM_LEN - 1).
    static let commBytes = 15

    public static func masterTitle(_ config: Configuration) -> String { "paddock: master [\(config[Settings.procName])]" }
    public static func masterName(_ config: Configuration) -> String { truncated(config[Settings.procName], keeping: "") }

    public static func workerTitle(_ config: Configuration, slot: Int) -> String {
        "paddock: worker \(slot) [\(config[Settings.procName])]"
    }

    /// The slot suffix always survives the cut, so workers stay told apart.
    public static func workerName(_ config: Configuration, slot: Int) -> String {
        truncated(config[Settings.procName], keeping: "-w\(slot)")
    }

    /// Sets both. The title is best effort (nothing to overwrite when the
    /// arguments are unknown); the name is a system call and throws.
    public static func apply(name: String, title: String) throws {
        Process.setTitle(title)
        try Process.setName(name)
    }

    /// `name` cut on a character boundary so that it and `suffix` fit in 15 bytes.
    static func truncated(_ name: String, keeping suffix: String) -> String {
        var kept = ""
        for c in name {
            guard kept.utf8.count + String(c).utf8.count + suffix.utf8.count <= commBytes else { break }
            kept.append(c)
        }
        return kept + suffix
    }
}
