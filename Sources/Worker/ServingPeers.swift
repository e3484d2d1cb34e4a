import ServerCore

/// The scoreboard entries of the other workers that are serving (not
/// booting, draining or gone), as the accept balancer reads them; walked in
/// place, without building a list. Live entries sit at the low end: the
/// master reuses the lowest free one.
struct ServingPeers: Sequence {
    let scoreboard: Scoreboard
    /// This worker's own entry, skipped.
    let entry: Int
    /// Entries worth looking at.
    let limit: Int

    /// - Parameter workers: the configured worker count; TTIN may have raised
    ///   the master's target above it.
    init(scoreboard: Scoreboard, entry: Int, workers: Int) {
        self.scoreboard = scoreboard
        self.entry = entry
        limit = Swift.min(2 * Swift.max(workers, Int(scoreboard.header.targetWorkers)) + 2, scoreboard.slots)
    }

    struct Iterator: IteratorProtocol {
        let peers: ServingPeers
        var index = 0

        mutating func next() -> AcceptBalancer.Peer? {
            while index < peers.limit {
                let i = index
                index += 1
                guard i != peers.entry else { continue }
                let other = peers.scoreboard.slot(i)
                let st = other.state
                if st != .empty && st != .booting && st != .draining {
                    return AcceptBalancer.Peer(listening: other.listening, connections: Int(other.connections))
                }
            }
            return nil
        }
    }

    func makeIterator() -> Iterator { Iterator(peers: self) }
}
