import Posix

/// Worker states as the scoreboard records them.
public enum WorkerActivity: UInt8, Sendable, CustomStringConvertible {
    case empty = 0, booting, idle, reading, handling, writing, keepAlive, draining

    public var description: String {
        switch self {
        case .empty: return "empty"
        case .booting: return "booting"
        case .idle: return "idle"
        case .reading: return "reading"
        case .handling: return "handling"
        case .writing: return "writing"
        case .keepAlive: return "keep-alive"
        case .draining: return "draining"
        }
    }
}

/// Shared memory between the master and every worker: one fixed-size slot per
/// worker slot number. A worker writes only its own slot; the master reads
/// all. Living in a memfd, it needs no file on disk, so a slow `/tmp` can
/// never cause a false timeout.
///
/// Fields are naturally aligned 8-byte (or smaller) words: plain loads and
/// stores of them are single instructions on the platforms Paddock runs on,
/// so a reader sees either the old or the new value of a field.
public struct Scoreboard: @unchecked Sendable {
    /// Bytes per slot in the layout this executable writes.
    public static let slotSize = 2048
    /// Bytes per slot on a board whose header names no layout: made by a
    /// master from before layouts had a number.
    public static let legacySlotSize = 1024
    /// Raised whenever the slot or header layout beyond the first
    /// `legacySlotSize` bytes of a slot changes (the figures and database
    /// counters). The master that creates a board writes it and the slot
    /// size into the header; a process of another layout maps the board with
    /// the header's slot size (so the common fields are where it expects them)
    /// and neither reads nor writes the figures.
    public static let layoutVersion: UInt64 = 1
    public static let maxSlots = 512
    /// The master's own area before the slots (restart counters, totals of
    /// retired workers).
    public static let headerSize = 4096
    static let textOffset = 64
    static let textCapacity = 255
    static let countersOffset = 320
    /// Where the process figures and database counters start, past every
    /// field a legacy slot has.
    static let figuresOffset = legacySlotSize
    // The counters fill the rest of a legacy slot, the figures fit in this
    // layout's, and the header's retired totals fit before the slots.
    static let layoutFits: Void = {
        precondition(countersOffset + RequestCounters.size <= legacySlotSize, "request counters overflow a scoreboard slot")
        precondition(figuresOffset + SlotFigures.size <= slotSize, "figures overflow a scoreboard slot")
        precondition(ScoreboardHeader.retiredOffset + RequestCounters.size <= ScoreboardHeader.figuresOffset, "retired counters overflow into the figures")
        precondition(ScoreboardHeader.figuresOffset + MasterFigures.size <= headerSize, "master figures overflow the header")
    }()

    public let mapping: SharedMapping
    public let slots: Int
    /// This board's bytes per slot (from its header).
    public let slotBytes: Int
    /// Whether the board is in this executable's layout: only then are the
    /// figures and database counters read or written.
    public let hasFigures: Bool

    /// Creates the memfd and maps it (master), in this executable's layout.
    public static func create(slots: Int = Scoreboard.maxSlots) throws -> (Scoreboard, FileDescriptor) {
        _ = Scoreboard.layoutFits
        let fd = try Files.memfd(name: "paddock-scoreboard")
        try fd.truncate(to: headerSize + slots * slotSize)
        let mapping = try SharedMapping(fd: fd, size: headerSize + slots * slotSize)
        let header = ScoreboardHeader(base: mapping.base)
        header.setLayout(slotSize: slotSize)
        header.countersLayout = UInt64(RequestCounters.layoutVersion)
        return (Scoreboard(mapping: mapping, slots: slots, slotBytes: slotSize, hasFigures: true), fd)
    }

    /// Maps an existing scoreboard (worker, or master after re-exec), with
    /// the slot size its header names.
    public init(fd: FileDescriptor, slots: Int? = nil) throws {
        _ = Scoreboard.layoutFits
        let size = try fd.size()
        guard size >= Scoreboard.headerSize else {
            throw SystemError("mmap", .EINVAL, context: "scoreboard of \(size) bytes has no header")
        }
        let mapping = try SharedMapping(fd: fd, size: size)
        let geometry = ScoreboardHeader(base: mapping.base).geometry
        let count = min(slots ?? Int.max, (size - Scoreboard.headerSize) / geometry.slotSize)
        self.init(mapping: mapping, slots: count, slotBytes: geometry.slotSize,
                  hasFigures: geometry.layout == Scoreboard.layoutVersion && geometry.slotSize == Scoreboard.slotSize)
    }

    init(mapping: SharedMapping, slots: Int, slotBytes: Int, hasFigures: Bool) {
        self.mapping = mapping
        self.slots = slots
        self.slotBytes = slotBytes
        self.hasFigures = hasFigures
    }

    @inline(__always) func base(_ slot: Int) -> UnsafeMutableRawPointer {
        precondition(slot >= 0 && slot < slots, "scoreboard slot \(slot) out of range")
        return mapping.base + Scoreboard.headerSize + slot * slotBytes
    }

    /// One worker's view of its own slot.
    public func slot(_ index: Int) -> ScoreboardSlot { ScoreboardSlot(base: base(index), size: slotBytes, hasFigures: hasFigures) }

    /// The master's area.
    public var header: ScoreboardHeader { ScoreboardHeader(base: mapping.base) }
    /// The master's figures and the retired totals beyond the request
    /// counters, when the board is in this layout.
    public var masterFigures: MasterFigures? { hasFigures ? MasterFigures(base: mapping.base + ScoreboardHeader.figuresOffset) : nil }
}

/// Accessors for one slot's fields.
public struct ScoreboardSlot: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    /// The board's bytes per slot.
    let size: Int
    /// Whether `figures` are in this executable's layout.
    let hasFigures: Bool

    enum Offset {
        static let pid = 0            // Int32
        static let generation = 4     // Int32
        static let state = 8          // UInt8
        static let drainRequested = 9 // UInt8, set by the master
        static let listening = 10     // UInt8, whether the worker has its listeners in epoll
        static let countersLayout = 11 // UInt8, RequestCounters.layoutVersion of `counters`
        static let bootTime = 16      // UInt64 monotonic ns
        static let heartbeat = 24     // UInt64 monotonic ns
        static let requestStart = 32  // UInt64 monotonic ns, 0 = no request being handled
        static let requests = 40      // UInt64
        static let connections = 48   // UInt64
        static let rss = 56           // UInt64 bytes
        static let slot = 12          // Int32, the worker's slot number
    }

    /// The worker's process figures and database counters; nil on a board
    /// of another layout.
    public var figures: SlotFigures? { hasFigures ? SlotFigures(base: base + Scoreboard.figuresOffset) : nil }

    /// The worker's request counters.
    public var counters: RequestCounters { RequestCounters(base: base + Scoreboard.countersOffset) }
    /// The layout `counters` are kept in: set by the master that cleared the
    /// entry, zero for an entry cleared by an executable before layouts had
    /// a number.
    public var countersLayout: UInt8 { get { load(Offset.countersLayout, UInt8.self) } nonmutating set { store(Offset.countersLayout, newValue) } }
    /// Whether this executable can read `counters`.
    public var countersReadable: Bool { countersLayout == RequestCounters.layoutVersion }

    public var slotNumber: Int32 { get { load(Offset.slot, Int32.self) } nonmutating set { store(Offset.slot, newValue) } }

    @inline(__always) func load<T>(_ off: Int, _: T.Type) -> T { base.load(fromByteOffset: off, as: T.self) }
    @inline(__always) func store<T>(_ off: Int, _ v: T) { base.storeBytes(of: v, toByteOffset: off, as: T.self) }

    public var pid: Int32 { get { load(Offset.pid, Int32.self) } nonmutating set { store(Offset.pid, newValue) } }
    public var generation: Int32 { get { load(Offset.generation, Int32.self) } nonmutating set { store(Offset.generation, newValue) } }
    public var state: WorkerActivity {
        get { WorkerActivity(rawValue: load(Offset.state, UInt8.self)) ?? .empty }
        nonmutating set { store(Offset.state, newValue.rawValue) }
    }
    /// Set by the master together with the drain message, so a worker
    /// finishing a long request sees it before it writes the response (and
    /// answers `Connection: close`) without a system call per request.
    public var drainRequested: Bool {
        get { load(Offset.drainRequested, UInt8.self) != 0 }
        nonmutating set { store(Offset.drainRequested, UInt8(newValue ? 1 : 0)) }
    }
    /// Whether the worker currently accepts (see the worker's accept balancing).
    public var listening: Bool {
        get { load(Offset.listening, UInt8.self) != 0 }
        nonmutating set { store(Offset.listening, UInt8(newValue ? 1 : 0)) }
    }
    public var bootTime: UInt64 { get { load(Offset.bootTime, UInt64.self) } nonmutating set { store(Offset.bootTime, newValue) } }
    public var heartbeat: UInt64 { get { load(Offset.heartbeat, UInt64.self) } nonmutating set { store(Offset.heartbeat, newValue) } }
    public var requestStart: UInt64 { get { load(Offset.requestStart, UInt64.self) } nonmutating set { store(Offset.requestStart, newValue) } }
    public var requests: UInt64 { get { load(Offset.requests, UInt64.self) } nonmutating set { store(Offset.requests, newValue) } }
    public var connections: UInt64 { get { load(Offset.connections, UInt64.self) } nonmutating set { store(Offset.connections, newValue) } }
    public var rss: UInt64 { get { load(Offset.rss, UInt64.self) } nonmutating set { store(Offset.rss, newValue) } }

    /// The request being handled ("GET /api/users/1"), truncated to fit.
    public var currentRequest: String {
        get {
            let p = (base + Scoreboard.textOffset).assumingMemoryBound(to: UInt8.self)
            var n = 0
            while n < Scoreboard.textCapacity && p[n] != 0 { n += 1 }
            return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
        }
        nonmutating set {
            let p = (base + Scoreboard.textOffset).assumingMemoryBound(to: UInt8.self)
            var n = 0
            for b in newValue.utf8 where n < Scoreboard.textCapacity { p[n] = b; n += 1 }
            p[n] = 0
        }
    }

    /// Where the current request's text lives (for the abort reporter), and its capacity.
    public var currentRequestBytes: (pointer: UnsafePointer<UInt8>, capacity: Int) {
        (UnsafePointer((base + Scoreboard.textOffset).assumingMemoryBound(to: UInt8.self)), Scoreboard.textCapacity)
    }

    /// Records "METHOD PATH" without building an intermediate String.
    public func setCurrentRequest(method: String, path: String) {
        let p = (base + Scoreboard.textOffset).assumingMemoryBound(to: UInt8.self)
        var n = 0
        for b in method.utf8 where n < Scoreboard.textCapacity { p[n] = b; n += 1 }
        if n < Scoreboard.textCapacity { p[n] = 32; n += 1 }
        for b in path.utf8 where n < Scoreboard.textCapacity { p[n] = b; n += 1 }
        p[n] = 0
    }

    /// Clears the slot for a new worker.
    public func reset(pid: Int32, generation: Int32, now: UInt64, slot: Int = 0) {
        base.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        slotNumber = Int32(slot)
        countersLayout = RequestCounters.layoutVersion
        self.pid = pid
        self.generation = generation
        bootTime = now
        heartbeat = now
        state = .booting
    }
}
