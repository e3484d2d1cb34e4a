import Posix

/// A worker's own process figures and database counters, in its slot past
/// the fields every layout has. The worker publishes the figures about once
/// a second; `/metrics` adds them to the master's (`MasterFigures`).
public struct SlotFigures: @unchecked Sendable {
    let base: UnsafeMutableRawPointer

    enum Word {
        static let cpu = 0        // user + system CPU, ns
        static let pss = 1        // bytes, 0 = unknown
        static let openFDs = 2
    }
    static let databaseOffset = 64
    /// Bytes the figures take.
    static var size: Int { databaseOffset + DatabaseCounters.size }

    @inline(__always) func word(_ index: Int) -> UnsafeMutablePointer<UInt64> {
        (base + index * 8).assumingMemoryBound(to: UInt64.self)
    }

    /// CPU time the worker had used when it last published (never more than it has used).
    public var cpuNanoseconds: UInt64 { get { word(Word.cpu).pointee } nonmutating set { word(Word.cpu).pointee = newValue } }
    public var pss: UInt64 { get { word(Word.pss).pointee } nonmutating set { word(Word.pss).pointee = newValue } }
    public var openFDs: UInt64 { get { word(Word.openFDs).pointee } nonmutating set { word(Word.openFDs).pointee = newValue } }

    /// The worker's database counters (what `DatabaseMetrics` records into).
    public var database: DatabaseCounters { DatabaseCounters(base: base + SlotFigures.databaseOffset) }

    /// Reads this process's CPU time, PSS and open descriptors and stores
    /// them. A figure that cannot be read keeps its last value: CPU time
    /// must never go backwards.
    public func publishOwn() {
        OwnUsage.store(cpu: word(Word.cpu), pss: word(Word.pss), openFDs: word(Word.openFDs))
    }
}

extension ScoreboardSlot {
    /// The worker's periodic publishing: RSS (for `max_worker_memory` and
    /// `/metrics`), and the figures when the board is in this layout.
    public func publishOwnFigures() {
        if let bytes = Process.residentBytes(of: Process.id) { rss = UInt64(bytes) }
        figures?.publishOwn()
    }
}
