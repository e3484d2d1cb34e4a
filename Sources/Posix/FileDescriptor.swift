import CPosixShims
import Glibc

/// An open file descriptor. A value type: closing is explicit.
public struct FileDescriptor: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public var description: String { "fd \(rawValue)" }

    public static let standardInput = FileDescriptor(rawValue: 0)
    public static let standardOutput = FileDescriptor(rawValue: 1)
    public static let standardError = FileDescriptor(rawValue: 2)

    /// Reads into `buffer`; 0 means end of file. The C function is `read(2)`.
    @inline(__always)
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> IOResult<Int> {
        try nonBlockingSyscall("read") { Glibc.read(rawValue, buffer.baseAddress, buffer.count) }
    }

    /// Writes from `buffer`, returning how much was written. The C function is `write(2)`.
    @inline(__always)
    public func write(_ buffer: UnsafeRawBufferPointer) throws -> IOResult<Int> {
        try nonBlockingSyscall("write") { Glibc.write(rawValue, buffer.baseAddress, buffer.count) }
    }

    /// Writes all of `bytes` on a blocking descriptor (loops over short writes).
    public func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = try syscall("write") { Glibc.write(rawValue, bytes.baseAddress! + offset, bytes.count - offset) }
            offset += n
        }
    }

    public func writeAll(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { (p) throws in try writeAll(p) }
    }

    public func writeAll(_ string: String) throws {
        var s = string
        try s.withUTF8 { (p) throws in try writeAll(UnsafeRawBufferPointer(p)) }
    }

    /// Reads everything until EOF on a blocking descriptor.
    public func readAll() throws -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = try chunk.withUnsafeMutableBytes { (p) throws in
                try syscall("read") { Glibc.read(rawValue, p.baseAddress, p.count) }
            }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
        }
    }

    /// Closes the descriptor, never retrying (Linux releases it even on EINTR).
    /// The C function is `close(2)`.
    public func close() throws {
        _ = try syscallOnce("close", context: "fd=\(rawValue)") { Glibc.close(rawValue) }
    }

    /// Closes a descriptor that is being abandoned after another failure, or
    /// whose close result cannot change anything (a peer's socket after a
    /// reset). Returns the error so a caller can log it if it wants.
    @discardableResult
    public func closeAfterFailure() -> SystemError? {
        if Glibc.close(rawValue) == 0 { return nil }
        return SystemError("close", .current, context: "fd=\(rawValue)")
    }

    /// Sets or clears O_NONBLOCK. The C function is `fcntl(2)`.
    public func setNonBlocking(_ on: Bool = true) throws {
        let flags = try syscall("fcntl", context: "F_GETFL fd=\(rawValue)") { paddock_fcntl(rawValue, F_GETFL) }
        let new = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK
        if new != flags {
            _ = try syscall("fcntl", context: "F_SETFL fd=\(rawValue)") { paddock_fcntl_int(rawValue, F_SETFL, new) }
        }
    }

    /// Sets or clears FD_CLOEXEC. The C function is `fcntl(2)`.
    public func setCloseOnExec(_ on: Bool) throws {
        let flags = try syscall("fcntl", context: "F_GETFD fd=\(rawValue)") { paddock_fcntl(rawValue, F_GETFD) }
        let new = on ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC
        if new != flags {
            _ = try syscall("fcntl", context: "F_SETFD fd=\(rawValue)") { paddock_fcntl_int(rawValue, F_SETFD, new) }
        }
    }

    /// True when the descriptor is open. The C function is `fcntl(2)` with F_GETFD.
    public var isOpen: Bool { paddock_fcntl(rawValue, F_GETFD) != -1 }

    /// Duplicates onto `target` (clearing close-on-exec there). The C function is `dup2(2)`.
    public func duplicate(as target: FileDescriptor) throws {
        _ = try syscall("dup2", context: "\(rawValue)->\(target.rawValue)") { Glibc.dup2(rawValue, target.rawValue) }
    }

    /// Duplicates to the lowest free fd >= `minimum`, close-on-exec. The C function is `fcntl(2)` F_DUPFD_CLOEXEC.
    public func duplicate(atLeast minimum: Int32 = 3) throws -> FileDescriptor {
        FileDescriptor(rawValue: try syscall("fcntl", context: "F_DUPFD_CLOEXEC fd=\(rawValue)") {
            paddock_fcntl_int(rawValue, F_DUPFD_CLOEXEC, minimum)
        })
    }

    /// Size of the open file. The C function is `fstat(2)`.
    public func size() throws -> Int {
        var st = stat()
        _ = try syscall("fstat", context: "fd=\(rawValue)") { fstat(rawValue, &st) }
        return Int(st.st_size)
    }

    /// The C function is `ftruncate(2)`.
    public func truncate(to size: Int) throws {
        _ = try syscall("ftruncate", context: "fd=\(rawValue)") { ftruncate(rawValue, off_t(size)) }
    }

    /// The C function is `fsync(2)`.
    public func sync() throws {
        _ = try syscall("fsync", context: "fd=\(rawValue)") { fsync(rawValue) }
    }

    /// The C function is `fchown(2)`.
    public func changeOwner(uid: UInt32, gid: UInt32) throws {
        _ = try syscall("fchown", context: "fd=\(rawValue)") { fchown(rawValue, uid, gid) }
    }

    /// The C function is `lseek(2)`.
    public func seek(to offset: Int) throws {
        _ = try syscall("lseek", context: "fd=\(rawValue)") { lseek(rawValue, off_t(offset), SEEK_SET) }
    }
}

extension FileDescriptor {
    /// Reads the whole file from offset 0 without moving the shared file
    /// offset (the fd may be shared with other processes). The C function is `pread(2)`.
    public func readAllFromStart() throws -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        var offset = 0
        while true {
            let n = try chunk.withUnsafeMutableBytes { p in
                try syscall("pread", context: "fd=\(rawValue)") { Glibc.pread(rawValue, p.baseAddress, p.count, off_t(offset)) }
            }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
            offset += n
        }
    }
}
