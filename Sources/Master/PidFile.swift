import Posix

/// The master's PID file: written atomically (temp file + rename), removed
/// at exit only if it still names this process (a newer master may own it).
struct PidFile {
    let path: String

    func write(pid: Int32) throws {
        try Files.writeAtomically(path, contents: "\(pid)\n")
    }

    func remove(pid: Int32) throws {
        guard Files.exists(path) else { return }
        let text = try Files.readText(path)
        if text.split(whereSeparator: \.isWhitespace).first == Substring(String(pid)) { try Files.unlink(path) }
    }
}
