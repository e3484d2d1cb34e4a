/// Database counters in shared memory: a histogram of call durations,
/// failed calls by class, and reconnects. Like `RequestCounters`, each
/// worker has its own block (only it writes, with plain stores into its own
/// slot) and the master keeps the totals of workers that exited.
public struct DatabaseCounters: @unchecked Sendable {
    let base: UnsafeMutableRawPointer

    /// Histogram upper bounds in seconds, from a cached SQLite read (tens of
    /// microseconds) to a statement near a 5 s timeout; the last bucket is +Inf.
    public static let bucketBounds: [Double] = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
    static let bucketNanoseconds: [UInt64] = bucketBounds.map { UInt64(($0 * 1e9).rounded()) }
    public static var bucketCount: Int { bucketBounds.count + 1 }
    // Layout (UInt64 each): buckets, the duration sum in ns, errors by class, reconnects.
    static var sumWord: Int { bucketCount }
    static var errorsWord: Int { sumWord + 1 }
    static var reconnectsWord: Int { errorsWord + DatabaseErrorClass.allCases.count }
    /// Bytes a block takes.
    public static var size: Int { (reconnectsWord + 1) * 8 }

    @inline(__always) func word(_ index: Int) -> UnsafeMutablePointer<UInt64> {
        (base + index * 8).assumingMemoryBound(to: UInt64.self)
    }

    /// Counts one database call that took `nanoseconds`.
    @inline(__always)
    public func recordCall(nanoseconds: UInt64) {
        var b = 0
        let bounds = DatabaseCounters.bucketNanoseconds
        while b < bounds.count && nanoseconds > bounds[b] { b += 1 }
        word(b).pointee &+= 1
        word(DatabaseCounters.sumWord).pointee &+= nanoseconds
    }

    /// Counts one failed call.
    @inline(__always)
    public func countError(_ c: DatabaseErrorClass) { word(DatabaseCounters.errorsWord + c.rawValue).pointee &+= 1 }

    /// Counts one connection re-established after the first.
    @inline(__always)
    public func countReconnect() { word(DatabaseCounters.reconnectsWord).pointee &+= 1 }

    /// Calls in histogram bucket `b` alone (not cumulative).
    public func bucket(_ b: Int) -> UInt64 { word(b).pointee }
    public var durationSumNanoseconds: UInt64 { word(DatabaseCounters.sumWord).pointee }
    public var calls: UInt64 { (0..<DatabaseCounters.bucketCount).reduce(0) { $0 &+ word($1).pointee } }
    public func errors(_ c: DatabaseErrorClass) -> UInt64 { word(DatabaseCounters.errorsWord + c.rawValue).pointee }
    public var reconnects: UInt64 { word(DatabaseCounters.reconnectsWord).pointee }

    /// Adds `other` into this block (the master folding in an exited worker).
    public func add(_ other: DatabaseCounters) {
        for i in 0..<(DatabaseCounters.size / 8) { word(i).pointee &+= other.word(i).pointee }
    }

    public func clear() { base.initializeMemory(as: UInt8.self, repeating: 0, count: DatabaseCounters.size) }
}
