/// Request counters in shared memory: by status class, by route (an index
/// in the worker's `RouteLabels`) and exact status code, and a latency
/// histogram. Each worker has its own block (only it writes); the
/// master keeps a block with the totals of workers that exited, so figures
/// add up across restarts.
public struct RequestCounters: @unchecked Sendable {
    let base: UnsafeMutableRawPointer

    /// Status classes 1xx..5xx.
    public static let statusClasses = 5
    /// Histogram upper bounds in seconds; the last bucket is +Inf.
    public static let bucketBounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    static let bucketNanoseconds: [UInt64] = bucketBounds.map { UInt64($0 * 1e9) }
    public static var bucketCount: Int { bucketBounds.count + 1 }

    /// One cell per status class, every route together.
    static let cells = statusClasses
    /// Entries for exact codes, filled in order of first use: one word each,
    /// the key (route index and code) in the high 16 bits and the count in
    /// the low 48, so a reader sees an entry whole. A request whose route
    /// and code find no room is counted in its status class only.
    public static let codeEntries = 67
    static let countBits: UInt64 = 48
    static let countMask: UInt64 = (1 << 48) - 1
    /// Route indexes below this fit a key: 6 bits hold the index plus one.
    public static let routeIndexes = 63
    // Layout (UInt64 each): cells, then buckets, then the latency sum in ns,
    // then the exact codes.
    static var bucketsOffset: Int { cells * 8 }
    static var sumOffset: Int { bucketsOffset + bucketCount * 8 }
    static var codesOffset: Int { sumOffset + 8 }
    /// Bytes a block takes.
    public static var size: Int { codesOffset + codeEntries * 8 }
    /// Raised whenever the layout above changes. A block is only read or
    /// folded by code of the same layout: after an upgrade in place, the
    /// workers adopted from the previous executable (layout 0: before the
    /// route templates) are not counted rather than counted wrong.
    public static let layoutVersion: UInt8 = 1

    /// The class (1...5) a status code is counted in.
    @inline(__always)
    public static func statusClass(_ status: Int) -> Int { min(max(status / 100, 1), 5) }

    /// Never zero (an empty entry is zero).
    @inline(__always)
    static func codeKey(route: Int, status: Int) -> UInt64 {
        UInt64(min(max(route, 0), routeIndexes - 1) + 1) << 10 | UInt64(min(max(status, 0), 1023))
    }

    @inline(__always) func word(_ index: Int) -> UnsafeMutablePointer<UInt64> {
        (base + index * 8).assumingMemoryBound(to: UInt64.self)
    }

    /// Counts one answered request; `route` is an index in `RouteLabels`.
    @inline(__always)
    public func record(route: Int, status: Int, nanoseconds: UInt64) {
        word(RequestCounters.statusClass(status) - 1).pointee &+= 1
        countCode(RequestCounters.codeKey(route: route, status: status), by: 1)
        var b = 0
        let bounds = RequestCounters.bucketNanoseconds
        while b < bounds.count && nanoseconds > bounds[b] { b += 1 }
        word(RequestCounters.cells + b).pointee &+= 1
        word(RequestCounters.cells + RequestCounters.bucketCount).pointee &+= nanoseconds
    }

    /// Requests of every route in status class `statusClass` (1...5).
    public func count(statusClass: Int) -> UInt64 { word(statusClass - 1).pointee }
    /// Requests in histogram bucket `b` alone (not cumulative).
    public func bucket(_ b: Int) -> UInt64 { word(RequestCounters.cells + b).pointee }
    public var latencySumNanoseconds: UInt64 { word(RequestCounters.cells + RequestCounters.bucketCount).pointee }
    public var total: UInt64 { (0..<RequestCounters.cells).reduce(0) { $0 &+ word($1).pointee } }

    /// Adds `n` to the entry for `key`, taking the first free entry if it has none.
    @inline(__always)
    func countCode(_ key: UInt64, by n: UInt64) {
        let first = RequestCounters.codesOffset / 8
        for i in first..<(first + RequestCounters.codeEntries) {
            let w = word(i)
            let v = w.pointee
            if v == 0 { w.pointee = key << RequestCounters.countBits | (n & RequestCounters.countMask); return }
            if v >> RequestCounters.countBits == key {
                w.pointee = key << RequestCounters.countBits | ((v &+ n) & RequestCounters.countMask)
                return
            }
        }
    }

    /// Calls `body` with each route index and exact code counted, and its count.
    public func forEachCode(_ body: (Int, Int, UInt64) -> Void) {
        let first = RequestCounters.codesOffset / 8
        for i in first..<(first + RequestCounters.codeEntries) {
            let v = word(i).pointee
            if v == 0 { return }
            let key = v >> RequestCounters.countBits
            body(Int(key >> 10) - 1, Int(key & 1023), v & RequestCounters.countMask)
        }
    }

    /// Every entry for exact codes is taken: a new route and code is counted
    /// in its status class only.
    public var codesFull: Bool { word(RequestCounters.codesOffset / 8 + RequestCounters.codeEntries - 1).pointee != 0 }

    /// Adds `other` into this block (the master folding in an exited worker).
    public func add(_ other: RequestCounters) {
        for i in 0..<(RequestCounters.codesOffset / 8) { word(i).pointee &+= other.word(i).pointee }
        other.forEachCode { route, code, n in countCode(RequestCounters.codeKey(route: route, status: code), by: n) }
    }

    public func clear() { base.initializeMemory(as: UInt8.self, repeating: 0, count: RequestCounters.size) }
}

/// Why the master replaced a worker; counted in the scoreboard header.
public enum RestartReason: Int, CaseIterable, Sendable {
    case crash = 0, timeout, bootFailure, maxRequests, maxMemory, reload
    public var label: String {
        switch self {
        case .crash: return "crash"
        case .timeout: return "timeout"
        case .bootFailure: return "boot_failure"
        case .maxRequests: return "max_requests"
        case .maxMemory: return "max_memory"
        case .reload: return "reload"
        }
    }
}

/// The master's area of the scoreboard. Only the master writes it.
/// `sequence` is odd while the master folds an exited worker's counters into
/// the totals; readers retry so they never count a request twice or lose it.
public struct ScoreboardHeader: @unchecked Sendable {
    let base: UnsafeMutableRawPointer

    @inline(__always) func word(_ offset: Int) -> UnsafeMutablePointer<UInt64> {
        (base + offset).assumingMemoryBound(to: UInt64.self)
    }

    public var sequence: UInt64 { get { word(0).pointee } nonmutating set { word(0).pointee = newValue } }
    public var masterPid: UInt64 { get { word(8).pointee } nonmutating set { word(8).pointee = newValue } }
    public var generation: UInt64 { get { word(16).pointee } nonmutating set { word(16).pointee = newValue } }
    public var targetWorkers: UInt64 { get { word(24).pointee } nonmutating set { word(24).pointee = newValue } }
    public var startedAt: UInt64 { get { word(32).pointee } nonmutating set { word(32).pointee = newValue } }
    /// `RequestCounters.layoutVersion` of the `retired` totals.
    public var countersLayout: UInt64 { get { word(40).pointee } nonmutating set { word(40).pointee = newValue } }

    /// Makes the retired totals this executable's layout: a master started
    /// from another one clears totals it cannot read (the counters start
    /// again from zero, which Prometheus reads as a reset).
    public func adoptCounters() {
        guard countersLayout != UInt64(RequestCounters.layoutVersion) else { return }
        sequence &+= 1
        retired.clear()
        countersLayout = UInt64(RequestCounters.layoutVersion)
        sequence &+= 1
    }

    public func restarts(_ r: RestartReason) -> UInt64 { word(64 + r.rawValue * 8).pointee }
    public func countRestart(_ r: RestartReason) { word(64 + r.rawValue * 8).pointee &+= 1 }

    /// Totals of workers that have exited.
    public var retired: RequestCounters { RequestCounters(base: base + ScoreboardHeader.retiredOffset) }
    static let retiredOffset = 256
}
