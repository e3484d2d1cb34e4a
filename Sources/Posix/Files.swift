import CPosixShims
import Glibc

/// File system calls.
public enum Files {
    /// Opens `path`. The C function is `open(2)`.
    public static func open(_ path: String, flags: Int32, mode: UInt32 = 0o644) throws -> FileDescriptor {
        FileDescriptor(rawValue: try syscall("open", context: path) { Glibc.open(path, flags | O_CLOEXEC, mode) })
    }

    /// Opens for appending (log files), creating it if needed with `mode`
    /// (0640: logs hold client addresses and request lines; an existing file
    /// keeps its mode). Log files live in the service user's directory and
    /// are opened by root, so this refuses what `openNoFollow` refuses.
    public static func openAppend(_ path: String, mode: UInt32 = 0o640) throws -> FileDescriptor {
        try openNoFollow(path, flags: O_WRONLY | O_APPEND | O_CREAT, mode: mode)
    }

    /// Reads a whole file.
    public static func read(_ path: String) throws -> [UInt8] {
        let fd = try open(path, flags: O_RDONLY)
        defer { fd.closeAfterFailure() }
        return try fd.readAll()
    }

    /// Reads a whole file as UTF-8 text.
    public static func readText(_ path: String) throws -> String {
        String(decoding: try read(path), as: UTF8.self)
    }

    /// Writes `contents` to `path` atomically: a temporary file in the same
    /// folder, fsync, then rename over the target (rename replaces a link at
    /// `path` itself, never what it points to).
    ///
    /// The temporary file is created afresh (`O_EXCL | O_NOFOLLOW`), so a
    /// symbolic link planted at its name cannot redirect the write. A file
    /// left at that name by a crash (the name is the pid, and in a container
    /// the pid is 1 at every start) is removed first.
    public static func writeAtomically(_ path: String, contents: String, mode: UInt32 = 0o644) throws {
        let tmp = "\(path).tmp.\(getpid())"
        var fd: FileDescriptor?
        // Bounded: only someone recreating the name as fast as we remove it keeps this going.
        for _ in 0..<3 where fd == nil {
            try unlink(tmp)
            do {
                fd = try open(tmp, flags: O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: mode)
            } catch let error as SystemError where error.errno == .EEXIST {
                continue
            }
        }
        guard let fd else { throw SystemError("open", .EEXIST, context: "\(tmp) (O_EXCL): recreated after each removal") }
        do {
            try fd.writeAll(contents)
            try fd.sync()
            try fd.close()
        } catch {
            fd.closeAfterFailure()
            _ = unlinkIfPresent(tmp)
            throw error
        }
        try rename(tmp, to: path)
    }

    /// The C function is `rename(2)`.
    public static func rename(_ from: String, to: String) throws {
        _ = try syscall("rename", context: "\(from) -> \(to)") { Glibc.rename(from, to) }
    }

    /// Removes `path`; a missing file is not an error (returns false). The C function is `unlink(2)`.
    @discardableResult
    public static func unlinkIfPresent(_ path: String) -> Bool {
        Glibc.unlink(path) == 0
    }

    /// The C function is `unlink(2)`.
    public static func unlink(_ path: String) throws {
        if Glibc.unlink(path) == 0 { return }
        let e = Errno.current
        if e == .ENOENT { return }
        throw SystemError("unlink", e, context: path)
    }

    /// True if `path` exists. The C function is `access(2)`.
    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// True if `path` is executable by us. The C function is `access(2)`.
    public static func isExecutable(_ path: String) -> Bool { access(path, X_OK) == 0 }

    /// Size of the regular file at `path` in bytes; nil if missing or not a
    /// regular file (a symbolic link is not followed, a FIFO never opened).
    /// The C function is `lstat(2)`.
    public static func size(_ path: String) throws -> Int? {
        guard let status = try linkStatus(path), status.isRegularFile else { return nil }
        return status.size
    }

    /// Anonymous memory file (scoreboard, config hand-over). The C function is `memfd_create(2)`.
    public static func memfd(name: String) throws -> FileDescriptor {
        FileDescriptor(rawValue: try syscall("memfd_create", context: name) { paddock_memfd_create(name, 1 /* MFD_CLOEXEC */) })
    }

    /// The current working directory. The C function is `getcwd(3)`.
    public static func currentDirectory() throws -> String {
        var buf = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buf, buf.count) != nil else { throw SystemError("getcwd", .current) }
        return String(nulTerminated: buf)
    }

    /// Creates a directory. The C function is `mkdir(2)`.
    public static func makeDirectory(_ path: String, mode: UInt32 = 0o755) throws {
        if Glibc.mkdir(path, mode) == 0 { return }
        let e = Errno.current
        if e == .EEXIST { return }
        throw SystemError("mkdir", e, context: path)
    }
}

/// A shared memory mapping. The C function is `mmap(2)`.
public struct SharedMapping: @unchecked Sendable {
    public let base: UnsafeMutableRawPointer
    public let size: Int

    public init(fd: FileDescriptor, size: Int) throws {
        guard let p = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd.rawValue, 0), p != MAP_FAILED else {
            throw SystemError("mmap", .current, context: "fd=\(fd.rawValue) size=\(size)")
        }
        base = p
        self.size = size
    }

    /// The C function is `munmap(2)`.
    public func unmap() throws {
        _ = try syscall("munmap") { munmap(base, size) }
    }
}

extension String {
    /// The text of a C buffer up to its first NUL (or all of it).
    init(nulTerminated buffer: [CChar]) {
        self = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
