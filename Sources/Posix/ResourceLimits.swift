import Glibc

/// This process's resource limits.
public enum ResourceLimits {
    /// The soft and hard limits on open file descriptors. The C function is `getrlimit(2)`.
    public static func openFiles() throws -> (soft: UInt64, hard: UInt64) {
        var r = rlimit()
        _ = try syscall("getrlimit", context: "RLIMIT_NOFILE") { getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &r) }
        return (UInt64(r.rlim_cur), UInt64(r.rlim_max))
    }

    /// Sets the soft limit on open file descriptors, keeping the hard one
    /// (an unprivileged process may raise its soft limit up to the hard
    /// limit). The C function is `setrlimit(2)`.
    public static func setOpenFiles(soft: UInt64) throws {
        var r = rlimit()
        _ = try syscall("getrlimit", context: "RLIMIT_NOFILE") { getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &r) }
        r.rlim_cur = rlim_t(soft)
        _ = try syscall("setrlimit", context: "RLIMIT_NOFILE") { setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &r) }
    }
}
