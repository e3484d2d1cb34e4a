/// One connection's request cycle and its deadlines, apart from its
/// buffers and its socket: where it is (waiting for a request, reading one,
/// lingering after the last response), whether it closes after the output
/// now queued, and when it times out.
///
/// Deadlines: `header_read_timeout` from a request's first byte (and for a
/// new connection from its accept: a TLS handshake and the first request's
/// first byte must both arrive within it, and handshake bytes do not move
/// it), `body_read_timeout` once the head is
/// complete and the body is awaited, `keepalive` between requests,
/// `write_timeout` from the last byte the client accepted (kept by
/// `OutputFlow`, and while output waits it is the only one that applies),
/// the linger time after a half-close, and a short grace for idle
/// connections when a drain begins.
///
/// Pure: the event loop reports what happened with the current time (a
/// manual clock in the tests) and carries out the action returned.
struct ConnectionMachine {
    struct Timeouts {
        var header: UInt64
        var body: UInt64
        /// 0: keep-alive off, every response closes its connection.
        var keepAlive: UInt64
        var linger: UInt64
        /// How long an idle connection stays open once a drain begins (a
        /// request may already be on the wire).
        var drainIdle: UInt64
    }

    enum Phase: Equatable {
        /// A TLS connection before its handshake completed: no request can
        /// start yet, and the deadline stays the one set at the accept.
        case handshaking
        /// Waiting for the first byte of a request (new or keep-alive idle).
        case idle
        /// Some of a request has arrived.
        case reading
        /// Last response sent and write side shut: discarding input until the
        /// peer closes or the linger time ends, so that our response is not
        /// destroyed by a reset (nginx's lingering close).
        case lingering
    }

    let timeouts: Timeouts
    /// Backpressure and the write deadline.
    private(set) var flow: OutputFlow
    private(set) var phase = Phase.idle
    /// When the current input phase times out (monotonic ns); while output
    /// waits for the socket, `flow`'s deadline applies instead.
    private(set) var deadline: UInt64
    /// When the current request's first byte arrived.
    private(set) var requestStarted: UInt64 = 0
    /// When the connection was accepted or last finished a response.
    private(set) var idleSince: UInt64
    /// Served at least one request (keep-alive idle, not a new connection).
    private(set) var served = false
    /// Close once the output is flushed.
    private(set) var closeAfterWrite = false
    /// The client shut down its sending side: answer what is buffered, then close.
    private(set) var inputClosed = false

    /// A connection accepted at `now`; `handshake`: a TLS connection, which
    /// starts in `.handshaking`.
    init(timeouts: Timeouts, flow: OutputFlow, now: UInt64, handshake: Bool = false) {
        self.timeouts = timeouts
        self.flow = flow
        idleSince = now
        deadline = now &+ timeouts.header
        if handshake { phase = .handshaking }
    }

    // MARK: what the loop asks

    /// Read from the socket at this connection's turn (not while lingering:
    /// that input is only discarded).
    var wantsRequests: Bool { !inputClosed && !flow.paused && !closeAfterWrite }
    /// Register for input events.
    var wantsInput: Bool { phase == .lingering || wantsRequests }
    /// Output waits for the socket: register for output events.
    var waitsForSocket: Bool { flow.deadline != nil }
    /// Stop parsing before producing more output.
    func outputIsFull(unsent: Int) -> Bool { flow.paused || flow.isFull(unsent: unsent) }

    // MARK: input

    /// The TLS handshake completed: the connection waits for its first
    /// request, by the deadline set at the accept (a slow handshake leaves
    /// the request less time, never more).
    mutating func handshakeCompleted() {
        guard phase == .handshaking else { return }
        phase = .idle
    }

    /// Bytes of a request are buffered: a request is under way.
    mutating func bytesArrived(now: UInt64) {
        guard phase == .idle else { return }
        phase = .reading
        requestStarted = now
        deadline = now &+ timeouts.header
    }

    /// The head is complete and the body incomplete: the body gets its own
    /// timeout, once, counted from the end of the head.
    mutating func awaitingBody(now: UInt64) {
        if deadline < now &+ timeouts.body && deadline <= requestStarted &+ timeouts.header {
            deadline = now &+ timeouts.body
        }
    }

    /// `100 Continue` queued: the client now sends the body.
    mutating func continueSent(now: UInt64) {
        deadline = now &+ timeouts.body
    }

    /// The client closed its sending side (read returned 0).
    mutating func inputEnded() {
        inputClosed = true
    }

    enum PeerClosedAction: Equatable {
        /// Nothing owed: close now.
        case close
        /// Output is owed: close once it is written.
        case finishWriting
    }

    /// Half-closed by the client and nothing complete is left to answer.
    mutating func peerClosed(pendingOutput: Bool) -> PeerClosedAction {
        guard pendingOutput else { return .close }
        closeAfterWrite = true
        return .finishWriting
    }

    // MARK: responses

    /// A complete request is answered: decides whether the connection stays
    /// open after this response (false: it says `Connection: close`).
    /// `shed` is asked last, only when everything else allows keep-alive.
    mutating func responseReady(keepAliveRequested: Bool, stopping: Bool, shed: () -> Bool) -> Bool {
        let keepAlive = keepAliveRequested && timeouts.keepAlive > 0 && !stopping && !shed()
        served = true
        if !keepAlive { closeAfterWrite = true }
        return keepAlive
    }

    /// The response is queued at `now`: the next request's clock starts,
    /// at once if its bytes are already buffered, else the keep-alive one.
    mutating func responseQueued(now: UInt64, moreInput: Bool) {
        phase = moreInput ? .reading : .idle
        requestStarted = now
        restartInputClock(now: now)
    }

    /// A framing error is answered: nothing after it is processed, the
    /// connection closes once the error response is written.
    mutating func failed() {
        closeAfterWrite = true
    }

    // MARK: output

    enum WriteAction: Equatable {
        case none
        /// The epoll interest changed (paused, or output waits or stopped waiting).
        case updateInterest
        /// Reading resumed and buffered requests (or a half-closed client)
        /// need a turn; the interest changed too.
        case resumeTurn
        /// Everything is written and the connection closes: see `closing`.
        case finish
    }

    /// After a write attempt at `now`: `unsent` bytes still wait (0: all
    /// written), `progressed` says whether the client accepted any.
    /// `bufferedInput`: unparsed requests are buffered.
    mutating func wrote(unsent: Int, progressed: Bool, now: UInt64, bufferedInput: Bool) -> WriteAction {
        let wasWaiting = flow.deadline != nil
        let change = flow.wrote(unsent: unsent, progressed: progressed, now: now)
        if unsent == 0 {
            // The input phase's clock starts over once the client has read everything.
            if wasWaiting { restartInputClock(now: now) }
            if closeAfterWrite { return .finish }
        }
        if change == .resume && (bufferedInput || inputClosed) { return .resumeTurn }
        if change != .none || wasWaiting != (flow.deadline != nil) { return .updateInterest }
        return .none
    }

    enum CloseAction: Equatable {
        /// Nothing more can arrive: close.
        case close
        /// Close if the kernel holds no unread byte; else half-close and linger.
        case closeIfNothingUnread
        /// Shut the write side and discard input for the linger time
        /// (`lingering(now:)`), so unread input does not turn the close
        /// into a reset that destroys the response.
        case halfCloseAndLinger
    }

    /// The last response is written. `nothingBuffered`: no unparsed input
    /// and no request half-parsed. A quitting worker does not ask the kernel.
    func closing(nothingBuffered: Bool, quitting: Bool) -> CloseAction {
        if inputClosed { return .close }
        if nothingBuffered && !quitting { return .closeIfNothingUnread }
        return .halfCloseAndLinger
    }

    /// The write side is shut at `now`: linger.
    mutating func lingering(now: UInt64) {
        phase = .lingering
        deadline = now &+ timeouts.linger
    }

    // MARK: time

    /// A drain began at `now`: an idle connection gets at most the drain
    /// grace; a request that arrives in it is answered with `Connection: close`.
    mutating func drainBegan(now: UInt64) {
        if phase == .idle && deadline > now &+ timeouts.drainIdle { deadline = now &+ timeouts.drainIdle }
    }

    enum Expiry: Equatable {
        /// A TLS handshake did not complete within `header_read_timeout` of the accept.
        case handshakeTimeout
        /// Output made no progress for `write_timeout`.
        case writeTimeout
        /// Under connection pressure, a connection that sent nothing for the short silent timeout.
        case silent
        /// A new connection sent nothing within `header_read_timeout`.
        case firstRequestTimeout
        /// Idle between requests for `keepalive`. Bytes already in the
        /// kernel are a request racing the timeout: the loop serves it.
        case keepAliveIdle
        /// A request's head or body did not arrive in time.
        case readTimeout
        /// The linger time after the last response ended.
        case lingerEnded
    }

    /// Whether the connection's deadline has passed at `now`. `silentTimeout`:
    /// the worker is under connection pressure and this public connection
    /// may stay silent only so long after its accept.
    func expiry(now: UInt64, silentTimeout: UInt64?) -> Expiry? {
        if flow.deadline != nil { return flow.isStalled(now: now) ? .writeTimeout : nil }
        switch phase {
        case .handshaking:
            if let silent = silentTimeout, now >= idleSince &+ silent { return .silent }
            return now >= deadline ? .handshakeTimeout : nil
        case .idle:
            if !served, let silent = silentTimeout, now >= idleSince &+ silent { return .silent }
            guard now >= deadline else { return nil }
            if !served { return .firstRequestTimeout }
            return timeouts.keepAlive == 0 ? nil : .keepAliveIdle
        case .reading:
            return now >= deadline ? .readTimeout : nil
        case .lingering:
            return now >= deadline ? .lingerEnded : nil
        }
    }

    private mutating func restartInputClock(now: UInt64) {
        deadline = now &+ (phase == .idle ? timeouts.keepAlive : timeouts.header)
        if phase == .idle { idleSince = now }
    }
}
