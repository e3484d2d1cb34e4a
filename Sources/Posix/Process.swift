import CPosixShims
import Glibc

/// How a child process ended, decoded from `waitpid(2)`'s status.
public enum ExitStatus: Equatable, Sendable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32, coreDumped: Bool)

    public init(raw: Int32) {
        if paddock_wifexited(raw) != 0 {
            self = .exited(paddock_wexitstatus(raw))
        } else {
            self = .signaled(paddock_wtermsig(raw), coreDumped: paddock_wcoredump(raw) != 0)
        }
    }

    public var description: String {
        switch self {
        case .exited(let code): return "exit code \(code)"
        case .signaled(let sig, let core): return "signal \(Signal.name(sig))\(core ? " (core dumped)" : "")"
        }
    }
}

/// Process system calls.
public enum Process {
    /// The C function is `getpid(2)`.
    public static var id: Int32 { getpid() }
    /// The C function is `getppid(2)`.
    public static var parentID: Int32 { getppid() }

    /// Spawns `path` with `arguments` (argv[0] included) and `environment`.
    /// `fds` maps a parent fd to the fd number it gets in the child; every other
    /// fd is closed in the child, its signal mask is empty and all dispositions
    /// are default. The C function is `posix_spawn(3)`.
    public static func spawn(path: String, arguments: [String], environment: [String],
                             fds: [(source: FileDescriptor, target: Int32)],
                             newProcessGroup: Bool) throws -> Int32 {
        var pid: pid_t = 0
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        let src = fds.map { $0.source.rawValue }
        let dst = fds.map { $0.target }
        let err = argv.withUnsafeBufferPointer { a in
            envp.withUnsafeBufferPointer { e in
                paddock_spawn(&pid, path, a.baseAddress, e.baseAddress, src, dst, Int32(fds.count), newProcessGroup ? 1 : 0)
            }
        }
        if err != 0 { throw SystemError("posix_spawn", Errno(rawValue: err), context: path) }
        return pid
    }

    /// Reaps one exited child without blocking: nil when none is ready (or none
    /// exists: ECHILD ends the reap loop). The C function is `waitpid(2)`.
    public static func reapAny() throws -> (pid: Int32, status: ExitStatus)? {
        var status: Int32 = 0
        while true {
            let r = waitpid(-1, &status, WNOHANG)
            if r > 0 { return (r, ExitStatus(raw: status)) }
            if r == 0 { return nil }
            let e = Errno.current
            if e == .EINTR { continue }
            if e == .ECHILD { return nil }
            throw SystemError("waitpid", e)
        }
    }

    /// Waits (blocking) for `pid`. The C function is `waitpid(2)`.
    public static func wait(for pid: Int32) throws -> ExitStatus {
        var status: Int32 = 0
        _ = try syscall("waitpid", context: "pid=\(pid)") { waitpid(pid, &status, 0) }
        return ExitStatus(raw: status)
    }

    /// Sends `signal`; returns false if the process is already gone (ESRCH).
    /// The C function is `kill(2)`.
    @discardableResult
    public static func kill(_ pid: Int32, _ signal: Int32) throws -> Bool {
        if Glibc.kill(pid, signal) == 0 { return true }
        let e = Errno.current
        if e == .ESRCH { return false }
        throw SystemError("kill", e, context: "pid=\(pid) sig=\(Signal.name(signal))")
    }

    /// Signals a whole process group; false when it is already gone.
    /// The C function is `killpg(3)`.
    @discardableResult
    public static func killGroup(_ pgid: Int32, _ signal: Int32) throws -> Bool {
        if Glibc.killpg(pgid, signal) == 0 { return true }
        let e = Errno.current
        if e == .ESRCH { return false }
        throw SystemError("killpg", e, context: "pgid=\(pgid) sig=\(Signal.name(signal))")
    }

    /// Asks the kernel to send `signal` when the parent dies. The C function is `prctl(2)` PR_SET_PDEATHSIG.
    public static func setParentDeathSignal(_ signal: Int32) throws {
        _ = try syscall("prctl", context: "PR_SET_PDEATHSIG") { paddock_set_pdeathsig(signal) }
    }

    /// Sets the thread name shown by `ps -L`/`top`. The C function is `prctl(2)` PR_SET_NAME.
    public static func setName(_ name: String) throws {
        _ = try syscall("prctl", context: "PR_SET_NAME") { paddock_set_name(name) }
    }

    /// Sets what `ps` and /proc/PID/cmdline show, by overwriting the memory
    /// of the original arguments (and environment strings, moved first), as
    /// setproctitle(3) does; the title is cut to the room there is. Returns
    /// false when the argument memory is unknown (nothing was changed).
    /// No system call: the kernel reads that memory as it is.
    @discardableResult
    public static func setTitle(_ title: String) -> Bool {
        paddock_set_process_title(title) >= 0
    }

    /// CPUs this process may run on (its affinity mask: `taskset`, cpusets).
    /// The C function is `sched_getaffinity(2)`.
    public static func affinityCPUCount() throws -> Int {
        Int(try syscall("sched_getaffinity") { paddock_affinity_cpu_count() })
    }

    /// The CPUs in the calling thread's affinity mask. The C function is `sched_getaffinity(2)`.
    public static func affinityCPUs() throws -> [Int] {
        var cpus = [Int32](repeating: 0, count: 1024)
        let n = try syscall("sched_getaffinity") { paddock_affinity_cpus(&cpus, Int32(cpus.count)) }
        return cpus.prefix(Int(n)).map(Int.init)
    }

    /// Restricts the calling thread, and what it spawns from now on, to
    /// `cpus` (what `taskset -c` does). The C function is `sched_setaffinity(2)`.
    public static func setAffinity(_ cpus: [Int]) throws {
        let list = cpus.map(Int32.init)
        _ = try syscall("sched_setaffinity", context: "\(cpus)") { paddock_set_affinity(list, Int32(list.count)) }
    }

    /// Replaces this process image. Returns only by throwing. The C function is `execve(2)`.
    public static func exec(path: String, arguments: [String], environment: [String]) throws -> Never {
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        _ = execve(path, argv, envp)
        let e = Errno.current
        for p in argv { free(p) }
        for p in envp { free(p) }
        throw SystemError("execve", e, context: path)
    }

    /// Resident set size of `pid` in bytes, from /proc/PID/statm; nil if gone.
    public static func residentBytes(of pid: Int32) -> Int? {
        let text: String
        do { text = try Files.readText("/proc/\(pid)/statm") } catch {
            return nil // the process is gone (ENOENT): no size to report
        }
        let parts = text.split(separator: " ")
        guard parts.count > 1, let pages = Int(parts[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Path of the running executable (`/proc/self/exe`). The C function is `readlink(2)`.
    public static func executablePath() throws -> String {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = try syscall("readlink", context: "/proc/self/exe") { readlink("/proc/self/exe", &buf, buf.count - 1) }
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Exits immediately without running atexit handlers. The C function is `_exit(2)`.
    public static func exitNow(_ code: Int32) -> Never { _exit(code) }

    /// The C function is `getuid(2)`.
    public static var userID: UInt32 { getuid() }

    /// Number of online CPUs. The C function is `sysconf(3)`.
    public static var cpuCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// The C function is `umask(2)`.
    @discardableResult
    public static func setUmask(_ mask: UInt32) -> UInt32 { umask(mask) }
}
