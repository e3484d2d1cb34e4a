import Glibc

/// What `fstat(2)` or `lstat(2)` says about a file: the fields Paddock
/// decides on before it hands a file to another user or writes to it as root.
public struct FileStatus: Sendable, Equatable {
    /// The file's type bits (`S_IFMT` of `st_mode`).
    public let type: UInt32
    /// The permission bits (`st_mode & 0o7777`).
    public let permissions: UInt32
    /// Hard links to the inode (`st_nlink`).
    public let linkCount: Int
    public let uid: UInt32
    public let gid: UInt32
    public let size: Int
    /// The device and inode (`st_dev`, `st_ino`): what makes a file itself,
    /// as `JOURNAL_STREAM` names standard error's.
    public let device: UInt64
    public let inode: UInt64

    init(_ st: stat) {
        type = st.st_mode & S_IFMT
        permissions = st.st_mode & 0o7777
        linkCount = Int(st.st_nlink)
        uid = st.st_uid
        gid = st.st_gid
        size = Int(st.st_size)
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
    }

    public var isRegularFile: Bool { type == S_IFREG }
    public var isSymbolicLink: Bool { type == S_IFLNK }
    public var isDirectory: Bool { type == S_IFDIR }
}

extension FileDescriptor {
    /// The open file's status. The C function is `fstat(2)`.
    public func status() throws -> FileStatus {
        var st = stat()
        _ = try syscall("fstat", context: "fd=\(rawValue)") { fstat(rawValue, &st) }
        return FileStatus(st)
    }

    /// Sets the permission bits. The C function is `fchmod(2)`.
    public func changeMode(_ mode: UInt32) throws {
        _ = try syscall("fchmod", context: "fd=\(rawValue)") { fchmod(rawValue, mode) }
    }
}

extension Files {
    /// The status of `path` itself (a symbolic link is not followed), nil
    /// when nothing is there. The C function is `lstat(2)`.
    public static func linkStatus(_ path: String) throws -> FileStatus? {
        var st = stat()
        do {
            _ = try syscall("lstat", context: path) { lstat(path, &st) }
        } catch let error as SystemError where error.errno == .ENOENT {
            return nil
        }
        return FileStatus(st)
    }

    /// The status of what `path` names, following symbolic links (a log
    /// directory may well be one), nil when nothing is there. The C function is `stat(2)`.
    public static func status(_ path: String) throws -> FileStatus? {
        var st = stat()
        do {
            _ = try syscall("stat", context: path) { stat(path, &st) }
        } catch let error as SystemError where error.errno == .ENOENT {
            return nil
        }
        return FileStatus(st)
    }

    /// True if this process may create files in (or write) `path`. The C function is `access(2)`.
    public static func isWritable(_ path: String) -> Bool { access(path, W_OK) == 0 }
}
