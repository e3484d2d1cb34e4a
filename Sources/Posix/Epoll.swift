import CPosixShims
import Glibc

/// An epoll instance. The C functions are `epoll_create1(2)`, `epoll_ctl(2)`, `epoll_wait(2)`.
/// The kernel's `struct epoll_event`.
public typealias EpollEvent = epoll_event

public struct Epoll: Sendable {
    public let fd: FileDescriptor

    // Values from <sys/epoll.h>; Swift does not import its enum-and-define pairs.
    public static let readable: UInt32 = 0x001 // EPOLLIN
    public static let writable: UInt32 = 0x004 // EPOLLOUT
    public static let error: UInt32 = 0x008 // EPOLLERR
    public static let hangup: UInt32 = 0x010 // EPOLLHUP
    public static let peerClosed: UInt32 = 0x2000 // EPOLLRDHUP
    public static let exclusive = UInt32(1) << 28 // EPOLLEXCLUSIVE
    public static let edgeTriggered = UInt32(1) << 31 // EPOLLET

    public init() throws {
        fd = FileDescriptor(rawValue: try syscall("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) })
    }

    /// Registers `target` with user data `data`.
    public func add(_ target: FileDescriptor, events: UInt32, data: UInt64) throws {
        var ev = epoll_event()
        ev.events = events
        ev.data.u64 = data
        _ = try syscall("epoll_ctl", context: "ADD fd=\(target.rawValue)") { epoll_ctl(fd.rawValue, EPOLL_CTL_ADD, target.rawValue, &ev) }
    }

    public func modify(_ target: FileDescriptor, events: UInt32, data: UInt64) throws {
        var ev = epoll_event()
        ev.events = events
        ev.data.u64 = data
        _ = try syscall("epoll_ctl", context: "MOD fd=\(target.rawValue)") { epoll_ctl(fd.rawValue, EPOLL_CTL_MOD, target.rawValue, &ev) }
    }

    public func remove(_ target: FileDescriptor) throws {
        var ev = epoll_event()
        _ = try syscall("epoll_ctl", context: "DEL fd=\(target.rawValue)") { epoll_ctl(fd.rawValue, EPOLL_CTL_DEL, target.rawValue, &ev) }
    }

    /// Waits up to `timeoutMs` (-1 forever); returns the number of events filled.
    @inline(__always)
    public func wait(into events: UnsafeMutablePointer<EpollEvent>, capacity: Int32, timeoutMs: Int32) throws -> Int {
        Int(try syscall("epoll_wait") { epoll_wait(fd.rawValue, events, capacity, timeoutMs) })
    }
}
