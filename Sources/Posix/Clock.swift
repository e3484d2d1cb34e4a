import CPosixShims
import Glibc

/// Clocks. Monotonic time is in nanoseconds.
public enum Clock {
    /// CLOCK_MONOTONIC in nanoseconds (stops during suspend). The C function is `clock_gettime(2)`.
    @inline(__always)
    public static func monotonicNanoseconds() -> UInt64 { paddock_monotonic_ns() }

    /// CLOCK_BOOTTIME in nanoseconds (counts suspend).
    public static func bootNanoseconds() -> UInt64 { paddock_boottime_ns() }

    /// Wall clock: seconds and nanoseconds since the Unix epoch.
    public static func realtime() -> (seconds: Int64, nanoseconds: Int64) {
        var s: Int64 = 0, n: Int64 = 0
        paddock_realtime(&s, &n)
        return (s, n)
    }
}

extension Clock {
    /// Sleeps; a signal cuts it short, which callers treat as a wake-up.
    /// The C function is `nanosleep(2)`.
    public static func sleep(milliseconds: Int) {
        var ts = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        _ = nanosleep(&ts, nil) // EINTR means "woken early", which is fine here
    }
}
