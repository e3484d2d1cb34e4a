import Glibc

/// A failed system call: which call, the errno, and what it was working on.
/// Every system call in Paddock reaches the caller through this one type.
public struct SystemError: Error, CustomStringConvertible, Sendable {
    public let call: StaticString
    public let errno: Errno
    public var context: String?

    public init(_ call: StaticString, _ errno: Errno, context: String? = nil) {
        self.call = call
        self.errno = errno
        self.context = context
    }

    public var description: String {
        if let context { return "\(call)(\(context)) failed: \(errno)" }
        return "\(call) failed: \(errno)"
    }
}

/// The outcome of a non-blocking call: done with a value, or it would block.
public enum IOResult<Value>: Sendable where Value: Sendable {
    case done(Value)
    case wouldBlock
}

/// The funnel every system call goes through: retries EINTR, throws
/// `SystemError(call, errno)` for any failure (`result == -1`).
@inline(__always)
public func syscall<R: FixedWidthInteger>(_ call: StaticString, context: @autoclosure () -> String? = nil,
                                          _ body: () -> R) throws -> R {
    while true {
        let r = body()
        if r != -1 { return r }
        let e = Errno.current
        if e == .EINTR { continue }
        throw SystemError(call, e, context: context())
    }
}

/// Like `syscall`, but would-block comes back as `.wouldBlock` instead of an error.
@inline(__always)
public func nonBlockingSyscall<R: FixedWidthInteger & Sendable>(_ call: StaticString, context: @autoclosure () -> String? = nil,
                                                     _ body: () -> R) throws -> IOResult<R> {
    while true {
        let r = body()
        if r != -1 { return .done(r) }
        let e = Errno.current
        if e == .EINTR { continue }
        if e.isWouldBlock { return .wouldBlock }
        throw SystemError(call, e, context: context())
    }
}

/// The funnel for calls that must never be retried on EINTR (`close(2)`:
/// on Linux the fd is released even when EINTR is reported).
@inline(__always)
public func syscallOnce<R: FixedWidthInteger>(_ call: StaticString, context: @autoclosure () -> String? = nil,
                                              _ body: () -> R) throws -> R {
    let r = body()
    if r != -1 { return r }
    throw SystemError(call, Errno.current, context: context())
}

/// For calls that return an errno value directly instead of -1 + errno
/// (`posix_spawn(3)`, pthread functions).
@inline(__always)
public func errnoReturningCall(_ call: StaticString, context: @autoclosure () -> String? = nil,
                               _ body: () -> Int32) throws {
    let r = body()
    if r != 0 { throw SystemError(call, Errno(rawValue: r), context: context()) }
}
