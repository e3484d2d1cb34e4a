/// How much one connection may do before the event loop moves on to the
/// others: a turn ends after `maxRequests` requests, or after the first
/// request that brings the turn's time to `timeSlice`. A connection that
/// pipelines expensive requests (a password check takes ~90 ms) thus gets
/// one per turn, while cheap pipelined requests are still answered in
/// batches (one read and one write for many).
struct TurnBudget {
    static let maxRequests = 16
    static let timeSlice: UInt64 = 1_000_000

    let started: UInt64
    private(set) var requests = 0

    init(now: UInt64) { started = now }

    /// Counts one answered request; false when the turn is over.
    mutating func spend(now: UInt64) -> Bool {
        requests += 1
        return requests < TurnBudget.maxRequests && now &- started < TurnBudget.timeSlice
    }
}
