import Posix

extension ConnectionTransport {
    /// What a connection's blocked TLS steps wait for, beyond what its
    /// request cycle asks: a TLS read (or the handshake) may need the socket
    /// writable (WANT_WRITE), a TLS write may need it readable (WANT_READ).
    /// Plain connections never set either.
    struct Waits: Equatable {
        /// A read or the handshake waits for the socket to be writable.
        var readNeedsWritable = false
        /// A write waits for the socket to be readable.
        var writeNeedsReadable = false

        /// Records what a read or handshake step is left waiting for.
        mutating func afterRead(_ outcome: Outcome) {
            readNeedsWritable = outcome == .wait(.writable)
        }

        /// Records what a write step is left waiting for.
        mutating func afterWrite(_ outcome: Outcome) {
            writeNeedsReadable = outcome == .wait(.readable)
        }

        /// The epoll events to register: `wantsInput` and `outputWaits` are
        /// the connection machine's (`wantsInput`, `waitsForSocket`). A
        /// write that waits for input does not also wait for output: the
        /// socket is writable, and level-triggered epoll would report it at
        /// every pass.
        func interest(wantsInput: Bool, outputWaits: Bool) -> UInt32 {
            var events: UInt32 = 0
            if wantsInput || writeNeedsReadable { events |= Epoll.readable | Epoll.peerClosed }
            if (outputWaits && !writeNeedsReadable) || readNeedsWritable { events |= Epoll.writable }
            return events
        }
    }
}
