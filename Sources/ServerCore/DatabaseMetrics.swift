import Posix

/// Where `PaddockSQL`'s connections record each call: the worker installs
/// its slot's `DatabaseCounters` at startup, before the application opens
/// a connection. Anywhere else (tests, `migrate` and the other commands)
/// nothing is installed and recording is a nil check.
///
/// Per call it costs two monotonic clock reads (vDSO) and three plain
/// stores into the worker's own slot: no allocation, no lock, no system
/// call. The worker has one thread, so the installed block is written by it
/// alone.
public enum DatabaseMetrics {
    nonisolated(unsafe) static var installed: DatabaseCounters?

    /// Makes every later call record into `counters` (nil: stop recording).
    public static func install(_ counters: DatabaseCounters?) { installed = counters }

    /// Whether a recorder is installed.
    public static var isInstalled: Bool { installed != nil }

    /// The start of a call, or 0 when nothing records (no clock read).
    @inline(__always)
    public static func callStarted() -> UInt64 {
        installed == nil ? 0 : Clock.monotonicNanoseconds()
    }

    /// Records a call begun at `started` (from `callStarted`), and its error class if it failed.
    @inline(__always)
    public static func callEnded(_ started: UInt64, failed: DatabaseErrorClass? = nil) {
        guard let counters = installed, started != 0 else { return }
        let now = Clock.monotonicNanoseconds()
        counters.recordCall(nanoseconds: now >= started ? now - started : 0)
        if let failed { counters.countError(failed) }
    }

    /// Records a connection re-established after the first one.
    @inline(__always)
    public static func reconnected() { installed?.countReconnect() }
}
