import Glibc

/// This process's own figures for the `process_*` metrics. Each process reads
/// its own: a worker running as another user cannot read the master's
/// `/proc/PID/fd`, and a reader summing the tree would need to.
extension Process {
    /// Whose CPU time `cpuNanoseconds` reports.
    public enum UsageOf: Sendable {
        /// This process.
        case own
        /// Children that exited and were reaped with `waitpid`, in total.
        case reapedChildren
    }

    /// User plus system CPU time in nanoseconds (microsecond resolution).
    /// The C function is `getrusage(2)`.
    public static func cpuNanoseconds(_ of: UsageOf) throws -> UInt64 {
        var usage = rusage()
        let who = __rusage_who_t(of == .own ? RUSAGE_SELF.rawValue : RUSAGE_CHILDREN.rawValue)
        _ = try syscall("getrusage", context: of == .own ? "RUSAGE_SELF" : "RUSAGE_CHILDREN") { getrusage(who, &usage) }
        let micros = (Int64(usage.ru_utime.tv_sec) + Int64(usage.ru_stime.tv_sec)) * 1_000_000
            + Int64(usage.ru_utime.tv_usec) + Int64(usage.ru_stime.tv_usec)
        return UInt64(max(0, micros)) * 1000
    }

    /// Descriptors this process holds open, counted in `/proc/self/fd`
    /// (without the one reading it). The C functions are `opendir(3)` and `readdir(3)`.
    public static func openDescriptorCount() throws -> Int {
        guard let dir = opendir("/proc/self/fd") else { throw SystemError("opendir", Errno.current, context: "/proc/self/fd") }
        defer { closedir(dir) }
        var count = 0
        while let entry = readdir(dir) {
            let first = withUnsafeBytes(of: entry.pointee.d_name) { $0[0] }
            if first != UInt8(ascii: ".") { count += 1 }
        }
        return max(0, count - 1)
    }

    /// Proportional set size in bytes (each shared page divided among the
    /// processes mapping it), from `/proc/self/smaps_rollup`; nil where the
    /// kernel has no rollup (before 4.14).
    public static func proportionalSetBytes() -> Int? {
        let text: String
        do { text = try Files.readText("/proc/self/smaps_rollup") } catch {
            return nil // no rollup on this kernel: PSS is not reported
        }
        for line in text.split(separator: "\n") where line.hasPrefix("Pss:") {
            let kilobytes = line.dropFirst(4).split(separator: " ").first.flatMap { Int($0) }
            return kilobytes.map { $0 * 1024 }
        }
        return nil
    }

    /// When this process started, in nanoseconds since the Unix epoch: its
    /// start in clock ticks after boot (`/proc/self/stat`, field 22) placed
    /// on the wall clock through CLOCK_BOOTTIME. nil if the file cannot be read.
    public static func startTimeNanoseconds() -> UInt64? {
        let text: String
        do { text = try Files.readText("/proc/self/stat") } catch {
            return nil // /proc not mounted: the caller falls back to its own clock
        }
        // The command name (field 2) may hold spaces and parentheses: count after the last ')'.
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state), so field 22 is fields[19].
        guard fields.count > 19, let ticks = UInt64(fields[19]) else { return nil }
        let hertz = UInt64(max(1, sysconf(Int32(_SC_CLK_TCK))))
        let startAfterBoot = ticks * (1_000_000_000 / hertz)
        let now = Clock.realtime()
        let wall = UInt64(now.seconds) * 1_000_000_000 + UInt64(now.nanoseconds)
        let sinceBoot = Clock.bootNanoseconds()
        guard sinceBoot >= startAfterBoot, wall >= sinceBoot - startAfterBoot else { return nil }
        return wall - (sinceBoot - startAfterBoot)
    }
}
