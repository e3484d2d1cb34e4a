/// Spreads connections over the workers (docs/design.md, "Accept balancing").
///
/// With EPOLLEXCLUSIVE the kernel wakes the first idle waiter in the
/// listener's queue, so the worker registered first would take most
/// connections of a burst, and keep-alive keeps them there. Two rules, both
/// fed from the scoreboard, where every worker publishes whether it accepts
/// and how many connections it holds:
/// - a worker steps back from accepting only while another worker that *is*
///   accepting holds at least two fewer connections, so at least one worker
///   always accepts (the last one never steps back), and it returns as soon
///   as it is no longer ahead. Connections waiting in the backlog bring a
///   stepped-back worker back at once: the accepting ones are busy;
/// - a worker clearly ahead of the least loaded one answers one request
///   with `Connection: close` now and then (at most one per `shedInterval`):
///   the client reconnects and lands on a worker that is accepting.
///
/// Pure: the event loop passes its own count, the serving peers' samples and
/// the clock, and applies the answer.
struct AcceptBalancer {
    /// What the scoreboard says of another serving worker.
    struct Peer: Equatable {
        var listening: Bool
        var connections: Int
    }

    enum Decision: Equatable {
        /// Keep (or put) the public listeners in the epoll set.
        case listen
        /// Take them out: another accepting worker is less loaded.
        case stepBack
    }

    /// At most one connection shed per this interval: each costs its client a reconnect.
    static let shedInterval: UInt64 = 50_000_000

    /// No shedding check before this time (monotonic ns).
    private(set) var nextShedCheck: UInt64 = 0

    init() {}

    /// Whether the public listeners belong in the epoll set.
    /// - Parameters:
    ///   - mine: this worker's public connections.
    ///   - canAdmit: a new connection fits (below `worker_connections`, or an
    ///     idle connection can make room).
    ///   - listening: whether the worker accepts now.
    ///   - peers: the other serving workers.
    ///   - backlogWaiting: asked only when the worker would stay stepped
    ///     back: whether connections wait in a listener's queue.
    func decide<Peers: Sequence>(mine: Int, canAdmit: Bool, listening: Bool, peers: Peers,
                                 backlogWaiting: () -> Bool) -> Decision where Peers.Element == Peer {
        guard canAdmit else { return .stepBack }
        var fewestListening = Int.max
        for other in peers where other.listening { fewestListening = min(fewestListening, other.connections) }
        if fewestListening == Int.max || mine < fewestListening + 2 { return .listen }
        // Connections waiting in the backlog mean the accepting workers
        // are busy (a slow batch): join in rather than let them wait.
        if !listening && backlogWaiting() { return .listen }
        return .stepBack
    }

    /// Whether the response being written should close its connection so
    /// that the client reconnects elsewhere: ahead of the least loaded peer
    /// by three, or by a quarter when connections are many (small
    /// fluctuations are normal), checked at most once per `shedInterval`.
    mutating func shouldShed<Peers: Sequence>(mine: Int, peers: Peers, now: UInt64) -> Bool where Peers.Element == Peer {
        guard mine > 2, now >= nextShedCheck else { return false }
        nextShedCheck = now &+ AcceptBalancer.shedInterval
        var fewest = Int.max
        for other in peers { fewest = min(fewest, other.connections) }
        return fewest != Int.max && mine >= fewest + max(3, mine / 4)
    }
}
