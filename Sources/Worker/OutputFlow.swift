/// Backpressure for one connection's output, and its write deadline.
///
/// A client may pipeline requests and read nothing; answering every request
/// it sends would make the worker hold all the responses. So reading and
/// parsing stop while the unsent output is at or above `highWater`, and
/// resume once it is down to `lowWater` (hysteresis: one resume per half
/// buffer written, not one per write). The write deadline counts from the
/// last byte the client accepted: new requests do not move it, so a client
/// that trickles requests but reads nothing is still closed.
///
/// Pure: the event loop reports what writing did and applies the answer.
struct OutputFlow {
    let highWater: Int
    let lowWater: Int
    /// How long pending output may wait for the client without progress (ns).
    let writeTimeout: UInt64
    /// Reading and parsing stopped because too much output is unsent.
    private(set) var paused = false
    /// When the pending output times out; nil while nothing waits for the socket.
    private(set) var deadline: UInt64?

    init(highWater: Int, lowWater: Int? = nil, writeTimeout: UInt64) {
        self.highWater = max(1, highWater)
        self.lowWater = min(self.highWater - 1, max(0, lowWater ?? highWater / 2))
        self.writeTimeout = writeTimeout
    }

    enum Change: Equatable {
        case none
        /// Stop reading and parsing this connection.
        case pause
        /// Read and parse again (the connection may hold unparsed requests).
        case resume
    }

    /// Whether parsing should stop before producing more output: the unsent
    /// output already reaches the high-water mark.
    func isFull(unsent: Int) -> Bool { unsent >= highWater }

    /// After a write attempt: `unsent` bytes are still waiting (0: all
    /// written), `progressed` says whether the client accepted any byte in
    /// this attempt.
    mutating func wrote(unsent: Int, progressed: Bool, now: UInt64) -> Change {
        if unsent == 0 {
            deadline = nil
            if paused { paused = false; return .resume }
            return .none
        }
        // The socket is full: the clock runs from the last progress only.
        if progressed || deadline == nil { deadline = now + writeTimeout }
        if paused {
            if unsent <= lowWater { paused = false; return .resume }
        } else if unsent >= highWater {
            paused = true
            return .pause
        }
        return .none
    }

    /// True when pending output made no progress for `writeTimeout`.
    func isStalled(now: UInt64) -> Bool {
        if let deadline { return now >= deadline }
        return false
    }
}
