import Glibc

// Opening files in directories someone else may write to. The master runs
// as root and opens log and database files that live in the service user's
// directories (`LogsDirectory=`, `StateDirectory=`); whatever that user puts
// at the path (a symbolic link to /etc/shadow, a hard link to it, a FIFO
// that blocks `open` forever) must not make root write to, or chown, a file
// of root's.

extension Files {
    /// Opens `path` without following a symbolic link in its last component
    /// and without blocking on a FIFO, and refuses a regular file with other
    /// hard links (it may be someone else's file linked into this directory).
    /// `O_NONBLOCK` is cleared again once the file is open. Throws
    /// `RefusedFileError` for what it refuses, `SystemError` otherwise.
    /// The C function is `open(2)` with `O_NOFOLLOW`.
    public static func openNoFollow(_ path: String, flags: Int32, mode: UInt32 = 0o600) throws -> FileDescriptor {
        let fd: FileDescriptor
        do {
            fd = try open(path, flags: flags | O_NOFOLLOW | O_NONBLOCK, mode: mode)
        } catch let error as SystemError where error.errno == .ELOOP {
            throw RefusedFileError(path: path, reason: "it is a symbolic link, which is not followed (open with O_NOFOLLOW: \(error.errno))")
        }
        do {
            let status = try fd.status()
            if status.isRegularFile && status.linkCount > 1 {
                throw RefusedFileError(path: path, reason: "it has \(status.linkCount) hard links; it may be another file linked here")
            }
            if flags & O_NONBLOCK == 0 { try fd.setNonBlocking(false) }
            return fd
        } catch {
            fd.closeAfterFailure()
            throw error
        }
    }

    /// `openNoFollow`, or nil when nothing is at `path`.
    public static func openExistingNoFollow(_ path: String, flags: Int32) throws -> FileDescriptor? {
        do {
            return try openNoFollow(path, flags: flags & ~O_CREAT)
        } catch let error as SystemError where error.errno == .ENOENT {
            return nil
        }
    }

    /// Creates `path` with exactly `mode` (at most: the umask can only take
    /// bits away) unless something is already there, which is left alone.
    /// Returns true if it created the file. The C function is `open(2)` with
    /// `O_CREAT | O_EXCL | O_NOFOLLOW`.
    @discardableResult
    public static func createIfMissing(_ path: String, mode: UInt32) throws -> Bool {
        let fd: FileDescriptor
        do {
            fd = try open(path, flags: O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK, mode: mode)
        } catch let error as SystemError where error.errno == .EEXIST {
            return false
        }
        try fd.close()
        return true
    }

    /// Reads at most `limit` bytes of `path` (following links: for files the
    /// operator named, such as a secret), failing when the file is longer.
    public static func read(_ path: String, limit: Int) throws -> [UInt8] {
        let fd = try open(path, flags: O_RDONLY)
        defer { fd.closeAfterFailure() }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = try chunk.withUnsafeMutableBytes { p in
                try syscall("read", context: path) { Glibc.read(fd.rawValue, p.baseAddress, p.count) }
            }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
            if out.count > limit { throw RefusedFileError(path: path, reason: "longer than \(limit) bytes") }
        }
    }
}
