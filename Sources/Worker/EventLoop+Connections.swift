import Glibc
import Posix
import ServerCore

/// Connection I/O: reads, turns, writes and closes, each step reported to
/// the connection's `ConnectionMachine` and its answer carried out.
extension EventLoop {
    static let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    func service(_ c: Connection, events: UInt32) {
        if events & (Epoll.error | Epoll.hangup) != 0 && events & Epoll.readable == 0 {
            close(c)
            return
        }
        let readable = events & (Epoll.readable | Epoll.peerClosed) != 0
        let writable = events & Epoll.writable != 0
        // Output goes on when the socket is writable; a TLS write that
        // waits for input, when it is readable.
        if c.hasPendingOutput && (c.waits.writeNeedsReadable ? readable : writable) {
            flush(c)
            if !isOpen(c) { return }
        }
        // A connection waiting in the ready list reads at its turn; a TLS
        // read (or handshake) that waits for output goes on when writable.
        if (readable || (writable && c.waits.readNeedsWritable)) && !c.queued {
            turn(c)
        }
    }

    /// Queues `c` for a turn in the next pass of the loop.
    func enqueue(_ c: Connection) {
        guard !c.queued else { return }
        c.queued = true
        ready.append(c)
    }

    /// Gives every connection queued before this pass its turn, in order.
    func runDueTurns() {
        guard !due.isEmpty else { return }
        for c in due {
            c.queued = false
            if isOpen(c) { turn(c) }
        }
        due.removeAll(keepingCapacity: true)
    }

    /// Reads what fits into the input buffer (at most `inputLimit` unparsed
    /// bytes: the rest of a pipeline waits in the kernel, or in the TLS
    /// session, which is then owed a turn). `transport`: the connection's,
    /// or the bare socket for input that is only discarded. Returns false
    /// when the connection failed and was closed.
    private func readInput(_ c: Connection, through transport: ConnectionTransport) -> Bool {
        c.transportHeldInput = false
        while true {
            let room = c.inputLimit - c.bufferedInput
            if room <= 0 {
                c.transportHeldInput = transport.hasBufferedInput
                return true
            }
            c.reserveInput(minimum: min(2048, room))
            let end = min(c.input.count, c.inputEnd + room)
            let outcome = c.input.withUnsafeMutableBytes { p in
                transport.read(c.fd, into: UnsafeMutableRawBufferPointer(rebasing: p[c.inputEnd..<end]))
            }
            c.waits.afterRead(outcome)
            switch outcome {
            case .wait:
                return true
            case .ended:
                c.machine.inputEnded()
                return true
            case .moved(let n):
                c.inputEnd += n
                // A short read drained the socket; TLS reads a record at a
                // time, so it goes on until it would block.
                if n == 0 || (!transport.isTLS && c.inputEnd < end) { return true }
            case .failed(let reason):
                // ECONNRESET and friends: the peer is gone.
                if transport.isTLS { logger.debug("closing connection from \(c.remoteAddress): TLS: \(reason)") }
                close(c)
                return false
            }
        }
    }

    /// One turn of a connection: read, answer up to a budget of requests,
    /// write. A connection with unparsed requests left goes to the back of
    /// the ready list, so every connection gets its turn in order.
    private func turn(_ c: Connection) {
        if c.machine.phase == .lingering {
            // After close_notify the TLS session is over: what arrives is discarded unread.
            guard readInput(c, through: .plain) else { return }
            c.inputStart = 0; c.inputEnd = 0
            if c.machine.inputClosed { close(c) }
            return
        }
        if c.transport.needsHandshake {
            guard handshake(c) else { return }
            if c.transport.needsHandshake { updateInterest(c); return }
        }
        if c.machine.wantsRequests {
            guard readInput(c, through: c.transport) else { return }
            // Part of a TLS record arrived, none of it readable yet: a request
            // has begun, and its header clock runs (else those held bytes
            // would count as "unread" and keep an idle connection open).
            if c.bufferedInput == 0 && c.transport.hasBufferedInput { c.machine.bytesArrived(now: Clock.monotonicNanoseconds()) }
        }
        if c.awaitsProxyHeader {
            guard takeProxyHeader(c) else { return }
        }
        let end: TurnEnd = c.bufferedInput > 0 ? process(c) : .needMore
        guard isOpen(c) else { return }
        switch end {
        case .budgetSpent:
            enqueue(c)
        case .needMore where c.machine.inputClosed:
            // Half-closed by the client and nothing complete is left: finish what we owe, then close.
            if c.machine.peerClosed(pendingOutput: c.hasPendingOutput) == .close { close(c); return }
        case .needMore where c.transportHeldInput:
            // The TLS session holds more than fitted: epoll will not report it.
            enqueue(c)
        case .needMore, .paused, .closing:
            break
        }
        updateInterest(c)
    }

    /// Reads the PROXY protocol header a proxy sends first: the client's
    /// address replaces the peer's. Until it is complete nothing else is
    /// parsed (the header read deadline bounds the wait); anything else
    /// first, or a half-closed connection before it, closes the connection
    /// without an answer, since the bytes that follow cannot be trusted to
    /// be the client's. Returns false when the connection was closed.
    private func takeProxyHeader(_ c: Connection) -> Bool {
        let outcome = c.input.withUnsafeBytes { p in
            ProxyProtocolHeader.parse(UnsafeRawBufferPointer(rebasing: p[c.inputStart..<c.inputEnd]))
        }
        switch outcome {
        case .needMore:
            if c.machine.inputClosed { close(c); return false }
            c.machine.bytesArrived(now: Clock.monotonicNanoseconds())
            return true
        case .header(let length, let client):
            c.inputStart += length
            c.awaitsProxyHeader = false
            if let client { c.remoteAddress = client }
            c.resetInputIfConsumed()
            return true
        case .invalid(let reason):
            logger.info("closing connection from \(c.remoteAddress): \(reason)")
            close(c)
            return false
        }
    }

    /// Why `process` returned.
    private enum TurnEnd {
        /// Everything buffered is answered, or the next request is incomplete.
        case needMore
        /// Requests are left; the connection's turn is over.
        case budgetSpent
        /// Too much output is unsent; reading resumes as the client reads.
        case paused
        /// The connection closes once its output is written.
        case closing
    }

    /// Parses and answers the buffered requests in order, within one turn's
    /// budget and while the unsent output stays below the high-water mark.
    private func process(_ c: Connection) -> TurnEnd {
        let now = Clock.monotonicNanoseconds()
        c.machine.bytesArrived(now: now)
        var budget = TurnBudget(now: now)
        var end = TurnEnd.needMore
        parsing: while c.bufferedInput > 0 && !c.machine.closeAfterWrite {
            if c.machine.outputIsFull(unsent: c.unsentOutput) {
                flush(c)
                guard isOpen(c) else { return .closing }
                if c.machine.flow.paused { end = .paused; break parsing }
            }
            let (consumed, result) = c.input.withUnsafeBytes { p in
                c.parser.parse(UnsafeRawBufferPointer(rebasing: p[c.inputStart..<c.inputEnd]))
            }
            c.inputStart += consumed
            switch result {
            case .needMore:
                if c.parser.isReadingBody { c.machine.awaitingBody(now: now) }
                break parsing
            case .expectContinue:
                c.output.append(contentsOf: EventLoop.continueLine)
                c.machine.continueSent(now: now)
            case .request(let parsed):
                respond(c, to: parsed)
                let after = Clock.monotonicNanoseconds()
                c.machine.responseQueued(now: after, moreInput: c.bufferedInput > 0)
                if !budget.spend(now: after) && c.bufferedInput > 0 { end = .budgetSpent; break parsing }
            case .failure(let error):
                fail(c, status: error.status, message: error.message)
                return .closing
            }
        }
        c.resetInputIfConsumed()
        flush(c)
        guard isOpen(c) else { return .closing }
        if c.machine.closeAfterWrite { return .closing }
        return c.machine.flow.paused ? .paused : end
    }

    /// Answers one complete request through the pipeline and queues the
    /// response, with `Connection: close` when the machine says so.
    private func respond(_ c: Connection, to parsed: ParsedRequest) {
        var request = parsed.request
        request.remoteAddress = c.remoteAddress
        let start = Clock.monotonicNanoseconds()
        let response = pipeline.respond(to: request, admin: c.isAdmin, headOnly: parsed.isHead, lifecycle: lifecycle, start: start)
        // A drain requested while the handler ran: this response already says close.
        if !lifecycle.isStopping && me.drainRequested { beginDrain() }
        let keepAlive = c.machine.responseReady(keepAliveRequested: parsed.keepAlive, stopping: lifecycle.isStopping,
                                                shed: { self.shouldShedConnection() })
        requestsServed &+= 1
        me.requests = requestsServed
        publishState()
        ResponseWriter.write(response, into: &c.output, date: date.current(), headOnly: parsed.isHead,
                             close: !keepAlive, http10KeepAlive: keepAlive && request.minorVersion == 0)
    }

    /// Answers a framing error and closes: nothing after a bad request on
    /// this connection is ever processed.
    private func fail(_ c: Connection, status: Int, message: String) {
        let response = ResponseWriter.errorResponse(status: status, message: message)
        ResponseWriter.write(response, into: &c.output, date: date.current(), headOnly: false, close: true, http10KeepAlive: false)
        c.machine.failed()
        c.inputStart = 0
        c.inputEnd = 0
        flush(c)
        if isOpen(c) { updateInterest(c) }
    }

    /// Writes pending output until the socket is full; the machine then
    /// decides whether reading pauses or resumes, restarts its clocks, or
    /// finishes the connection.
    func flush(_ c: Connection) {
        let wasWaiting = c.machine.waitsForSocket
        let waitsBefore = c.waits
        var progressed = false
        writing: while c.hasPendingOutput {
            let outcome = c.output.withUnsafeBytes { p in
                c.transport.write(c.fd, UnsafeRawBufferPointer(rebasing: p[c.outputSent...]))
            }
            c.waits.afterWrite(outcome)
            switch outcome {
            case .moved(let n):
                c.outputSent += n
                progressed = true
            case .wait:
                break writing
            case .ended, .failed:
                if case .failed(let reason) = outcome, c.transport.isTLS {
                    logger.debug("closing connection from \(c.remoteAddress): TLS: \(reason)")
                }
                close(c)
                return
            }
        }
        // The clock is read only when output waits or waited for the socket.
        let now = c.hasPendingOutput || wasWaiting ? Clock.monotonicNanoseconds() : 0
        let action = c.machine.wrote(unsent: c.unsentOutput, progressed: progressed, now: now, bufferedInput: c.holdsInput)
        if !c.hasPendingOutput { c.resetOutputIfDone() }
        switch action {
        case .none:
            // A TLS write that now waits for input instead of output (or back).
            if c.waits != waitsBefore { updateInterest(c) }
        case .updateInterest:
            updateInterest(c)
        case .resumeTurn:
            enqueue(c)
            updateInterest(c)
        case .finish:
            closeGracefully(c)
        }
    }

    /// Registers the events the machine wants: input unless paused, closed
    /// by the client, or about to close; output while it waits for the socket.
    func updateInterest(_ c: Connection) {
        let wanted = c.waits.interest(wantsInput: c.machine.wantsInput, outputWaits: c.machine.waitsForSocket)
        guard wanted != c.interest else { return }
        do {
            try epoll.modify(c.fd, events: wanted, data: UInt64(UInt32(bitPattern: c.fd.rawValue)))
            c.interest = wanted
        } catch {
            logger.warning("\(error)")
            close(c)
        }
    }

    /// After the last response: half-close and linger so that unread input
    /// does not turn our close into a reset that destroys the response.
    /// TLS says close_notify first (in `close` for a plain close).
    private func closeGracefully(_ c: Connection) {
        switch c.machine.closing(nothingBuffered: !c.holdsInput && c.parser.isIdle, quitting: lifecycle.isQuitting) {
        case .close:
            close(c)
            return
        case .closeIfNothingUnread:
            // Nothing unread that we know of: a plain close is safe.
            do {
                if try Socket.pendingBytes(c.fd) == 0 { close(c); return }
            } catch { close(c); return }
        case .halfCloseAndLinger:
            break
        }
        c.transport.closeNotify()
        do { try Socket.shutdown(c.fd, how: Int32(SHUT_WR)) } catch { close(c); return }
        c.machine.lingering(now: Clock.monotonicNanoseconds())
        updateInterest(c)
    }
}
