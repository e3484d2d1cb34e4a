import Glibc
import Posix

/// The master's PID file: written atomically (temp file + rename), removed
/// at exit only if it still names this process (a newer master may own it).
///
/// Its directory may belong to the service user (`/run/paddock`), so the
/// temporary file is created with `O_EXCL | O_NOFOLLOW` and mode 0644, and
/// the check at exit reads the file without following a link or blocking on
/// a FIFO: whatever was planted there is only ever renamed over or removed.
struct PidFile {
    let path: String

    func write(pid: Int32) throws {
        try Files.writeAtomically(path, contents: "\(pid)\n", mode: 0o644)
    }

    func remove(pid: Int32) throws {
        guard let fd = try Files.openExistingNoFollow(path, flags: O_RDONLY | O_NONBLOCK) else { return }
        let text: String
        do {
            text = String(decoding: try fd.readAll(), as: UTF8.self)
        } catch {
            fd.closeAfterFailure()
            throw error
        }
        try fd.close()
        if text.split(whereSeparator: \.isWhitespace).first == Substring(String(pid)) { try Files.unlink(path) }
    }
}
