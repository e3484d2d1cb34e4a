import ServerCore

/// What a worker does when its connection slots run out, so that held-open
/// connections cannot lock new clients out for `keepalive` or
/// `header_read_timeout` (in the spirit of nginx's reusable connections).
///
/// - At capacity, a new connection takes the slot of an idle one: the
///   longest idle keep-alive connection first, else the silent connection
///   (accepted, nothing sent) that has waited longest. The worker stops
///   accepting only when no connection is idle.
/// - Under pressure (three quarters of the slots taken) a silent connection
///   gets `silentTimeout` instead of `header_read_timeout`.
///
/// Pure: the event loop offers its idle connections and applies the choice.
struct ConnectionPressure {
    let capacity: Int
    /// How long a connection that sent nothing may wait under pressure (ns).
    let silentTimeout: UInt64

    /// The table's default (`pressure_silent_timeout`), for the admin listener and tests.
    static let defaultSilentTimeout = Settings.pressureSilentTimeout.defaultValue.nanoseconds

    init(capacity: Int, silentTimeout: UInt64 = ConnectionPressure.defaultSilentTimeout) {
        self.capacity = max(1, capacity)
        self.silentTimeout = silentTimeout
    }

    func isFull(open: Int) -> Bool { open >= capacity }

    func isUnderPressure(open: Int) -> Bool { open * 4 >= capacity * 3 }

    /// Whether a silent connection accepted at `acceptedAt` has waited too
    /// long, given how many connections are open.
    func silentExpired(acceptedAt: UInt64, open: Int, now: UInt64) -> Bool {
        isUnderPressure(open: open) && now >= acceptedAt &+ silentTimeout
    }

    /// An idle connection the worker may close to make room.
    enum Idle: Int, Comparable {
        /// Served at least one request, waiting for the next.
        case keepAlive = 0
        /// Accepted, nothing received yet.
        case silent = 1

        static func < (a: Idle, b: Idle) -> Bool { a.rawValue < b.rawValue }
    }

    /// Collects the best connection to close among those offered.
    struct Choice {
        private(set) var index: Int?
        private var kind = Idle.silent
        private var since: UInt64 = .max

        init() {}

        /// Offers connection `index`, idle as `kind` since `idleSince`.
        mutating func consider(_ index: Int, _ kind: Idle, idleSince: UInt64) {
            if self.index == nil || kind < self.kind || (kind == self.kind && idleSince < since) {
                self.index = index
                self.kind = kind
                since = idleSince
            }
        }
    }
}
