import Posix

/// The master's own process figures, the CPU time of workers it has reaped,
/// and the database totals of exited workers, in the scoreboard header. Only
/// the master writes them; `/metrics` adds the live workers' `SlotFigures`.
public struct MasterFigures: @unchecked Sendable {
    let base: UnsafeMutableRawPointer

    enum Word {
        static let cpu = 0          // the master's own CPU, ns
        static let retiredCPU = 1   // CPU of reaped workers, ns
        static let rss = 2
        static let pss = 3
        static let openFDs = 4
        static let maxFDs = 5
        static let startTime = 6    // ns since the Unix epoch
        static let accountedChildren = 7 // RUSAGE_CHILDREN when the last worker was retired, ns
    }
    static let databaseOffset = 64
    /// Bytes the figures take.
    static var size: Int { databaseOffset + DatabaseCounters.size }

    @inline(__always) func word(_ index: Int) -> UnsafeMutablePointer<UInt64> {
        (base + index * 8).assumingMemoryBound(to: UInt64.self)
    }

    public var cpuNanoseconds: UInt64 { get { word(Word.cpu).pointee } nonmutating set { word(Word.cpu).pointee = newValue } }
    /// The CPU time of every worker reaped, each counted at the larger of
    /// what it last published and what the kernel charged the master's
    /// children for it: moving a worker from its slot into this total never
    /// lowers the sum.
    public var retiredCPUNanoseconds: UInt64 {
        get { word(Word.retiredCPU).pointee } nonmutating set { word(Word.retiredCPU).pointee = newValue }
    }
    public var rss: UInt64 { get { word(Word.rss).pointee } nonmutating set { word(Word.rss).pointee = newValue } }
    public var pss: UInt64 { get { word(Word.pss).pointee } nonmutating set { word(Word.pss).pointee = newValue } }
    public var openFDs: UInt64 { get { word(Word.openFDs).pointee } nonmutating set { word(Word.openFDs).pointee = newValue } }
    /// The master's soft RLIMIT_NOFILE.
    public var maxFDs: UInt64 { get { word(Word.maxFDs).pointee } nonmutating set { word(Word.maxFDs).pointee = newValue } }
    public var startTimeNanoseconds: UInt64 {
        get { word(Word.startTime).pointee } nonmutating set { word(Word.startTime).pointee = newValue }
    }

    /// The reaped children's CPU already moved into `retiredCPUNanoseconds`
    /// (kept here, not in the master's memory, so it survives an upgrade in place).
    var accountedChildrenNanoseconds: UInt64 {
        get { word(Word.accountedChildren).pointee } nonmutating set { word(Word.accountedChildren).pointee = newValue }
    }

    /// Database totals of workers that exited.
    public var retiredDatabase: DatabaseCounters { DatabaseCounters(base: base + MasterFigures.databaseOffset) }

    /// Moves a reaped worker's CPU time and database counters into the
    /// totals and clears them from its slot. `reapedChildren` is the
    /// master's RUSAGE_CHILDREN read after the worker was reaped: what grew
    /// since the last retirement is this worker's (and any other child
    /// reaped since). The caller holds the header's sequence odd.
    public func retire(_ worker: SlotFigures, reapedChildrenNanoseconds reapedChildren: UInt64) {
        let charged = reapedChildren >= accountedChildrenNanoseconds ? reapedChildren - accountedChildrenNanoseconds : 0
        retiredCPUNanoseconds &+= max(charged, worker.cpuNanoseconds)
        accountedChildrenNanoseconds = max(accountedChildrenNanoseconds, reapedChildren)
        worker.cpuNanoseconds = 0
        retiredDatabase.add(worker.database)
        worker.database.clear()
    }

    /// Reads the master's own figures and stores them (about once a second).
    /// The start time is read once: an upgrade in place keeps the process.
    public func publishOwn() {
        OwnUsage.store(cpu: word(Word.cpu), pss: word(Word.pss), openFDs: word(Word.openFDs))
        if let bytes = Process.residentBytes(of: Process.id) { rss = UInt64(bytes) }
        do { maxFDs = try ResourceLimits.openFiles().soft } catch {
            // getrlimit cannot fail for RLIMIT_NOFILE: keep the last value
        }
        if startTimeNanoseconds == 0, let start = Process.startTimeNanoseconds() { startTimeNanoseconds = start }
    }
}
