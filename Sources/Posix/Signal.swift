import CPosixShims
import Glibc

/// Signal numbers by name, and the one safe way to receive them: a self-pipe.
public enum Signal {
    public static let HUP = SIGHUP, INT = SIGINT, QUIT = SIGQUIT, TERM = SIGTERM
    public static let USR1 = SIGUSR1, USR2 = SIGUSR2, CHLD = SIGCHLD, WINCH = SIGWINCH
    public static let TTIN = SIGTTIN, TTOU = SIGTTOU, KILL = SIGKILL, ABRT = SIGABRT
    public static let PIPE = SIGPIPE, ALRM = SIGALRM

    public static func name(_ sig: Int32) -> String {
        switch sig {
        case SIGHUP: return "SIGHUP"
        case SIGINT: return "SIGINT"
        case SIGQUIT: return "SIGQUIT"
        case SIGTERM: return "SIGTERM"
        case SIGUSR1: return "SIGUSR1"
        case SIGUSR2: return "SIGUSR2"
        case SIGCHLD: return "SIGCHLD"
        case SIGWINCH: return "SIGWINCH"
        case SIGTTIN: return "SIGTTIN"
        case SIGTTOU: return "SIGTTOU"
        case SIGKILL: return "SIGKILL"
        case SIGABRT: return "SIGABRT"
        case SIGPIPE: return "SIGPIPE"
        case SIGSEGV: return "SIGSEGV"
        case SIGBUS: return "SIGBUS"
        case SIGILL: return "SIGILL"
        case SIGTRAP: return "SIGTRAP"
        case SIGALRM: return "SIGALRM"
        default: return "signal \(sig)"
        }
    }

    /// Blocks `signals` (they stay pending); the mask survives `execve(2)`.
    /// The C function is `pthread_sigmask(3)`.
    public static func block(_ signals: [Int32]) throws {
        _ = try syscall("pthread_sigmask", context: "SIG_BLOCK") { paddock_sigmask(paddock_sig_block(), signals, Int32(signals.count)) }
    }

    /// Unblocks `signals`; pending ones are delivered at once.
    public static func unblock(_ signals: [Int32]) throws {
        _ = try syscall("pthread_sigmask", context: "SIG_UNBLOCK") { paddock_sigmask(paddock_sig_unblock(), signals, Int32(signals.count)) }
    }

    /// Ignores SIGPIPE so that writes to a closed peer return EPIPE.
    public static func ignorePipe() throws {
        _ = try syscall("sigaction", context: "SIGPIPE") { paddock_sigignore(SIGPIPE) }
    }

    /// On SIGABRT (the master's timeout), writes `prefix` + the text at
    /// `text` + newline to `fd` in one write and exits with `code`. The
    /// handler is async-signal-safe; `text` is read when the signal arrives.
    public static func installAbortReporter(fd: FileDescriptor, prefix: String, text: UnsafePointer<UInt8>, capacity: Int, code: Int32) throws {
        _ = try syscall("sigaction", context: "SIGABRT") {
            paddock_install_abort_reporter(fd.rawValue, prefix, text, Int32(capacity), code)
        }
    }

    /// Ignores `sig`. The C function is `sigaction(2)`.
    public static func ignore(_ sig: Int32) throws {
        _ = try syscall("sigaction", context: name(sig)) { paddock_sigignore(sig) }
    }

    /// Restores the default disposition. The C function is `sigaction(2)`.
    public static func setDefault(_ sig: Int32) throws {
        _ = try syscall("sigaction", context: name(sig)) { paddock_sigdefault(sig) }
    }
}

/// The write end of the self-pipe, set once before any handler is installed:
/// the only global mutable state in Paddock. Handlers write the signal number
/// as one byte and do nothing else (async-signal-safe).
nonisolated(unsafe) private var signalPipeWriteFD: Int32 = -1

private func selfPipeHandler(_ sig: Int32) {
    let saved = Glibc.errno
    var byte = UInt8(truncatingIfNeeded: sig)
    _ = Glibc.write(signalPipeWriteFD, &byte, 1)
    Glibc.errno = saved
}

/// A self-pipe that turns asynchronous signals into readable bytes.
public struct SignalPipe: Sendable {
    public let readEnd: FileDescriptor
    public let writeEnd: FileDescriptor

    /// Creates the pipe (both ends non-blocking, close-on-exec) and installs
    /// handlers for `signals`. The C functions are `pipe2(2)` and `sigaction(2)`.
    public init(signals: [Int32]) throws {
        var fds: [Int32] = [-1, -1]
        _ = try syscall("pipe2") { paddock_pipe2(&fds, O_NONBLOCK | O_CLOEXEC) }
        readEnd = FileDescriptor(rawValue: fds[0])
        writeEnd = FileDescriptor(rawValue: fds[1])
        signalPipeWriteFD = fds[1]
        for sig in signals {
            _ = try syscall("sigaction", context: Signal.name(sig)) { paddock_sigaction(sig, selfPipeHandler) }
        }
    }

    /// Drains pending signal numbers, in arrival order.
    public func drain() throws -> [Int32] {
        var out: [Int32] = []
        var buf = [UInt8](repeating: 0, count: 64)
        while true {
            let r = try buf.withUnsafeMutableBytes { (p) throws -> IOResult<Int> in try readEnd.read(into: p) }
            switch r {
            case .wouldBlock: return out
            case .done(0): return out
            case .done(let n): out.append(contentsOf: buf[0..<n].map { Int32($0) })
            }
        }
    }
}
