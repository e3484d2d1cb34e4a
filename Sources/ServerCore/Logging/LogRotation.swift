import Posix

/// Size-based rotation of a log file shared by several processes, named like
/// Python's RotatingFileHandler: `log`, `log.1` (newest) ... `log.N` (oldest).
///
/// Only renames, never truncates or copies: a process that still has the old
/// file open keeps appending to it under its new name until it reopens, so no
/// line is lost and none is written twice.
public enum LogRotation {
    /// When `path` has reached `maxBytes`: removes `path.backups`, renames
    /// `path.i` to `path.(i+1)` from the oldest down, then `path` to `path.1`.
    /// Returns true if it rotated; the caller then tells every process to
    /// reopen. A missing file, `maxBytes <= 0` or `backups <= 0` never rotates
    /// (as in Python: with no backups the only alternative is truncating, which
    /// would lose lines other processes are writing).
    public static func rotateIfNeeded(path: String, maxBytes: Int, backups: Int) throws -> Bool {
        guard maxBytes > 0, backups > 0, let size = try Files.size(path), size >= maxBytes else { return false }
        try Files.unlink("\(path).\(backups)")
        // Shift only the unbroken run `path.1`...`path.top`: renaming into the
        // first gap clobbers nothing, and with a large count this is a few
        // access(2) calls instead of `backups` failing renames.
        var top = 0
        while top < backups - 1 && Files.exists("\(path).\(top + 1)") { top += 1 }
        for i in stride(from: top, through: 1, by: -1) {
            try renameIfPresent("\(path).\(i)", to: "\(path).\(i + 1)")
        }
        try renameIfPresent(path, to: "\(path).1")
        return true
    }

    /// A file removed between the check and the rename (by hand, say) is not an error.
    private static func renameIfPresent(_ from: String, to: String) throws {
        do {
            try Files.rename(from, to: to)
        } catch let error as SystemError where error.errno == .ENOENT {
            return
        }
    }
}
