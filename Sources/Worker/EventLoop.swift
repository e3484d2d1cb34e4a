import Glibc
import Posix
import ServerCore

/// The worker's only thread: one epoll loop that accepts, reads, parses,
/// runs the application synchronously, and writes. Slow clients never hold
/// the application: reading and writing are event-driven, and the
/// application only sees complete requests.
final class EventLoop {
    struct Options {
        var limits: HTTPLimits
        var keepalive: UInt64          // ns, 0 = keep-alive off
        var headerTimeout: UInt64      // ns
        var bodyTimeout: UInt64        // ns
        var writeTimeout: UInt64       // ns, from the last byte the client accepted
        var maxConnections: Int
        var workers: Int
        /// Stop parsing a connection's requests while this much output is unsent.
        var outputHighWater: Int
        /// Admin connections per worker, on top of `maxConnections`.
        var adminConnections: Int
        /// The last this-many listeners are admin listeners.
        var adminListeners: Int = 0
        var quickStopGrace: UInt64 = 2_000_000_000
        var lingerTime: UInt64 = 2_000_000_000
    }

    // epoll user data: kind in the high 32 bits, fd or index in the low.
    enum Tag: UInt64 { case connection = 0, listener = 1, control = 2, signal = 3 }

    let epoll: Epoll
    let options: Options
    let app: Application
    let logger: Logger
    /// The access log, when `accesslog` is set.
    var accessLog: AccessLog?
    let admin: AdminEndpoints
    let slot: Int
    let scoreboard: Scoreboard
    let me: ScoreboardSlot
    let entry: Int
    var listeners: [FileDescriptor]
    let control: FileDescriptor
    let signals: SignalPipe
    var connections: [Connection?] = []
    var open: [Connection] = []
    /// Open connections by listener kind; `worker_connections` counts public ones only.
    var publicOpen = 0
    var adminOpen = 0
    /// Connections owed another turn: they hold unparsed input after using
    /// up their turn's budget, and epoll would not report them again (the
    /// bytes are already read). `due` is the list being served this pass.
    var ready: [Connection] = []
    var due: [Connection] = []
    let pressure: ConnectionPressure
    let adminPressure: ConnectionPressure
    /// Each new connection's backpressure state.
    let flowTemplate: OutputFlow
    /// Public listeners are in the epoll set.
    var listening = false
    /// Admin listeners are in the epoll set (they have capacity of their own).
    var adminListening = false
    var draining = false
    var quitting = false
    var drainStarted: UInt64 = 0
    var unready = false
    var date = HTTPDate()
    var running = true
    var requestsServed: UInt64 = 0
    let events: UnsafeMutablePointer<EpollEvent>
    let eventCapacity: Int32 = 256
    var nextSweep: UInt64 = 0
    var nextShedCheck: UInt64 = 0
    var nextHousekeeping: UInt64 = 0
    let sweepInterval: UInt64

    init(options: Options, app: Application, logger: Logger, slot: Int, scoreboard: Scoreboard, entry: Int,
         listeners: [FileDescriptor], control: FileDescriptor) throws {
        self.options = options
        self.app = app
        self.logger = logger
        self.slot = slot
        self.scoreboard = scoreboard
        me = scoreboard.slot(entry)
        self.entry = entry
        self.listeners = listeners
        self.control = control
        epoll = try Epoll()
        signals = try SignalPipe(signals: [Signal.TERM, Signal.INT, Signal.QUIT, Signal.USR1])
        events = .allocate(capacity: Int(eventCapacity))
        var publicListeners: [(address: String, fd: FileDescriptor)] = []
        for l in listeners.prefix(listeners.count - options.adminListeners) {
            publicListeners.append(((try Socket.localAddress(l))?.description ?? "fd \(l.rawValue)", l))
        }
        admin = AdminEndpoints(scoreboard: scoreboard, listeners: publicListeners)
        // Check timeouts often enough for the shortest one, but never spin.
        pressure = ConnectionPressure(capacity: options.maxConnections,
                                      silentTimeout: min(options.headerTimeout, ConnectionPressure.defaultSilentTimeout))
        adminPressure = ConnectionPressure(capacity: options.adminConnections)
        flowTemplate = OutputFlow(highWater: options.outputHighWater, writeTimeout: options.writeTimeout)
        let shortest: UInt64 = [options.headerTimeout, options.bodyTimeout, options.keepalive, options.writeTimeout,
                                pressure.silentTimeout].filter { $0 > 0 }.min() ?? 1_000_000_000
        sweepInterval = max(10_000_000, min(250_000_000, shortest / 4))
        for l in listeners { try l.setNonBlocking() }
        try control.setNonBlocking()
        try epoll.add(control, events: Epoll.readable, data: Tag.control.rawValue << 32)
        try epoll.add(signals.readEnd, events: Epoll.readable, data: Tag.signal.rawValue << 32)
        try setListening(true)
        try setAdminListening(true)
    }

    deinit { events.deallocate() }

    /// The master aborts a worker stuck past `timeout` with SIGABRT: say
    /// which request it was stuck in, then exit at once (never resume).
    func installAbortReporter() {
        let text = me.currentRequestBytes
        do {
            try Signal.installAbortReporter(fd: logger.fileDescriptor,
                                            prefix: "critical pid=\(Process.id) slot=\(slot) timeout: aborted by the master while handling ",
                                            text: text.pointer, capacity: text.capacity, code: EventLoop.abortedExitCode)
        } catch {
            logger.error("\(error)")
        }
    }

    /// Exit status of a worker that reported a timeout abort.
    static let abortedExitCode: Int32 = 70

    /// Runs until drained or told to quit. Returns the exit code.
    func run() -> WorkerExitCode {
        installAbortReporter()
        me.state = .idle
        sendControl(.ready)
        while running {
            let now = Clock.monotonicNanoseconds()
            me.heartbeat = now
            // Connections owed a turn: look for new events without waiting.
            let timeout = ready.isEmpty ? waitTimeout(now: now) : 0
            let n: Int
            do { n = try epoll.wait(into: events, capacity: eventCapacity, timeoutMs: timeout) } catch {
                logger.critical("\(error)")
                return .bootFailed
            }
            // Turns owed from before this pass; connections that use up a
            // turn now go to the next pass, after every other ready one.
            swap(&ready, &due)
            for i in 0..<n {
                let ev = events[i]
                let data = ev.data.u64
                let value = Int32(truncatingIfNeeded: data & 0xFFFF_FFFF)
                switch Tag(rawValue: data >> 32) {
                case .connection?:
                    if let c = connections[Int(value)] { service(c, events: ev.events) }
                case .listener?:
                    acceptOne(listenerIndex: Int(value))
                case .control?:
                    readControl()
                case .signal?:
                    readSignals()
                case nil:
                    break
                }
            }
            runDueTurns()
            // A worker that stepped back from accepting looks again after every
            // batch, so a burst of connections spreads while it is arriving.
            if (!listening || (options.adminListeners > 0 && !adminListening)) && !draining && !quitting { rebalance() }
            let after = Clock.monotonicNanoseconds()
            if after >= nextSweep {
                nextSweep = after + sweepInterval
                sweep(now: after)
                if after >= nextHousekeeping {
                    nextHousekeeping = after + 1_000_000_000
                    housekeeping()
                }
            }
            if draining || quitting { checkDrained(now: after) }
        }
        logger.info("worker exiting after \(requestsServed) requests")
        return .normal
    }

    private func waitTimeout(now: UInt64) -> Int32 {
        if open.isEmpty && !draining && !quitting { return 1000 }
        let until = nextSweep > now ? nextSweep - now : 0
        // Not accepting: re-check the others' load soon even without traffic.
        let cap: UInt64 = listening || draining || quitting ? 1000 : 10
        return Int32(min(cap, (until + 999_999) / 1_000_000))
    }

    // MARK: accepting

    var publicListenerCount: Int { listeners.count - options.adminListeners }

    /// Adds or removes the public listeners.
    func setListening(_ on: Bool) throws {
        guard on != listening else { return }
        for i in 0..<publicListenerCount { try setListener(i, on) }
        listening = on
        me.listening = on
    }

    /// Adds or removes the admin listeners, independently of the public ones.
    func setAdminListening(_ on: Bool) throws {
        guard options.adminListeners > 0, on != adminListening else { return }
        for i in publicListenerCount..<listeners.count { try setListener(i, on) }
        adminListening = on
    }

    private func setListener(_ i: Int, _ on: Bool) throws {
        if on {
            // EPOLLEXCLUSIVE: one worker is woken per new connection, not all of them.
            try epoll.add(listeners[i], events: Epoll.readable | Epoll.exclusive, data: Tag.listener.rawValue << 32 | UInt64(i))
        } else {
            try epoll.remove(listeners[i])
        }
    }

    /// Accepts one connection per wake-up, so that the next one can wake
    /// another worker and connections spread across the workers.
    private func acceptOne(listenerIndex: Int) {
        guard listenerIndex < listeners.count else { return }
        let isAdmin = listenerIndex >= publicListenerCount
        guard isAdmin ? adminListening : listening else { return }
        // At capacity a new connection takes an idle one's slot; with none
        // idle, stop accepting until one closes or goes idle.
        guard makeRoom(admin: isAdmin) else { rebalance(); return }
        let result: IOResult<(FileDescriptor, SocketAddress?)>
        do { result = try Socket.acceptWithPeer(listeners[listenerIndex]) } catch let e as SystemError {
            switch e.errno {
            case .ECONNABORTED, .EPROTO: return // the client gave up while queued
            case .EMFILE, .ENFILE, .ENOBUFS, .ENOMEM:
                logger.error("\(e); pausing accept")
                pauseAcceptingUntilBelowLimit()
                return
            default:
                logger.error("\(e)")
                return
            }
        } catch {
            logger.error("\(error)")
            return
        }
        guard case .done(let (fd, peer)) = result else { return }
        register(fd: fd, peer: peer, admin: isAdmin)
        rebalance()
    }

    /// True when a connection of this kind fits, after closing the longest
    /// idle one if the worker is at capacity.
    private func makeRoom(admin: Bool) -> Bool {
        guard (admin ? adminPressure : pressure).isFull(open: admin ? adminOpen : publicOpen) else { return true }
        guard let victim = longestIdle(admin: admin) else { return false }
        logger.debug("at capacity: closing the idle connection from \(victim.remoteAddress) for a new one")
        close(victim)
        return true
    }

    /// The connection to close for a new one: the longest idle keep-alive
    /// connection, else the silent one accepted first (scans only at capacity).
    private func longestIdle(admin: Bool) -> Connection? {
        var choice = ConnectionPressure.Choice()
        for (i, c) in open.enumerated() where c.isAdmin == admin && c.isIdle {
            choice.consider(i, c.served ? .keepAlive : .silent, idleSince: c.idleSince)
        }
        return choice.index.map { open[$0] }
    }

    private func register(fd: FileDescriptor, peer: SocketAddress?, admin: Bool = false) {
        let c = Connection(fd: fd, remoteAddress: peer?.host ?? "", limits: options.limits, flow: flowTemplate)
        c.isAdmin = admin
        do {
            if peer?.family != AF_UNIX { try Socket.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1) }
            c.interest = Epoll.readable | Epoll.peerClosed
            try epoll.add(fd, events: c.interest, data: UInt64(UInt32(bitPattern: fd.rawValue)))
        } catch {
            logger.warning("new connection: \(error)")
            fd.closeAfterFailure()
            return
        }
        let index = Int(fd.rawValue)
        if index >= connections.count { connections.append(contentsOf: repeatElement(nil, count: index + 64 - connections.count)) }
        connections[index] = c
        c.listIndex = open.count
        open.append(c)
        if admin { adminOpen += 1 } else { publicOpen += 1 }
        let now = Clock.monotonicNanoseconds()
        c.idleSince = now
        c.deadline = now + options.headerTimeout
        me.connections = UInt64(publicOpen)
    }

    private func pauseAcceptingUntilBelowLimit() {
        do {
            try setListening(false)
            try setAdminListening(false)
        } catch { logger.error("\(error)") }
    }

    /// Decides whether this worker keeps its listeners in its epoll set.
    ///
    /// With EPOLLEXCLUSIVE the kernel wakes the first idle waiter in the
    /// listener's queue, so the worker registered first would take most
    /// connections of a burst. Each worker publishes in the scoreboard whether
    /// it listens and how many connections it holds; a worker steps back only
    /// while another worker that *is* listening holds at least two fewer
    /// connections, so at least one worker always listens (the last listener
    /// never steps back), and one that stepped back returns at its next sweep
    /// once it is no longer ahead. At `worker_connections` it keeps accepting
    /// only while it holds an idle connection to close for a new one.
    /// The admin listeners follow their own capacity.
    func rebalance() {
        guard !draining && !quitting else { return }
        if options.adminListeners > 0 {
            let admit = !adminPressure.isFull(open: adminOpen) || longestIdle(admin: true) != nil
            if admit != adminListening {
                do { try setAdminListening(admit) } catch { logger.error("\(error)") }
            }
        }
        let mine = publicOpen
        var shouldListen = !pressure.isFull(open: mine) || longestIdle(admin: false) != nil
        if shouldListen {
            var fewestListening = Int.max
            forEachServingPeer { other in
                if other.listening { fewestListening = min(fewestListening, Int(other.connections)) }
            }
            shouldListen = fewestListening == Int.max || mine < fewestListening + 2
            // Connections waiting in the backlog mean the accepting workers
            // are busy (a slow batch): join in rather than let them wait.
            if !shouldListen && !listening && backlogWaiting() { shouldListen = true }
        }
        if shouldListen != listening {
            do { try setListening(shouldListen) } catch { logger.error("\(error)") }
        }
    }

    /// True when a public listener has connections queued (TCP_INFO; a Unix
    /// socket or a failing call counts as empty).
    private func backlogWaiting() -> Bool {
        for l in listeners.prefix(listeners.count - options.adminListeners) {
            do { if try Socket.listenQueue(l).queued > 0 { return true } } catch { continue }
        }
        return false
    }

    /// Calls `body` with the scoreboard entry of every other worker that is
    /// serving (not booting, draining or gone). Live entries sit at the low
    /// end: the master reuses the lowest free one.
    @inline(__always)
    private func forEachServingPeer(_ body: (ScoreboardSlot) -> Void) {
        // TTIN may have raised the count above the configured one.
        let workers = max(options.workers, Int(scoreboard.header.targetWorkers))
        for i in 0..<min(2 * workers + 2, scoreboard.slots) where i != entry {
            let other = scoreboard.slot(i)
            let st = other.state
            if st != .empty && st != .booting && st != .draining { body(other) }
        }
    }

    /// Keep-alive connections stay where they were accepted, and a burst of
    /// connections (a load balancer's pool, a benchmark's start) lands on
    /// whichever workers the scheduler ran at that moment. A worker holding
    /// clearly more connections than the least loaded worker therefore
    /// answers one request with `Connection: close` now and then (at most one
    /// every 50 ms): the client reconnects, and the connection lands on a
    /// worker that is accepting. Cost: one reconnect per shed connection.
    private func shouldShedConnection() -> Bool {
        guard publicOpen > 2 else { return false }
        let now = Clock.monotonicNanoseconds()
        guard now >= nextShedCheck else { return false }
        nextShedCheck = now + EventLoop.shedInterval
        let mine = publicOpen
        var fewest = Int.max
        forEachServingPeer { fewest = min(fewest, Int($0.connections)) }
        // Ahead by three, or by a quarter when connections are many: small
        // fluctuations are normal and each shed costs the client a reconnect.
        return fewest != Int.max && mine >= fewest + max(3, mine / 4)
    }

    // MARK: connections

    private func service(_ c: Connection, events: UInt32) {
        if events & (Epoll.error | Epoll.hangup) != 0 && events & Epoll.readable == 0 {
            close(c)
            return
        }
        if events & Epoll.writable != 0 && c.hasPendingOutput {
            flush(c)
            if !isOpen(c) { return }
        }
        // A connection waiting in the ready list reads at its turn.
        if events & (Epoll.readable | Epoll.peerClosed) != 0 && !c.queued {
            turn(c)
        }
    }

    private func isOpen(_ c: Connection) -> Bool {
        let index = Int(c.fd.rawValue)
        return index < connections.count && connections[index] === c
    }

    /// Queues `c` for a turn in the next pass of the loop.
    private func enqueue(_ c: Connection) {
        guard !c.queued else { return }
        c.queued = true
        ready.append(c)
    }

    /// Gives every connection queued before this pass its turn, in order.
    private func runDueTurns() {
        guard !due.isEmpty else { return }
        for c in due {
            c.queued = false
            if isOpen(c) { turn(c) }
        }
        due.removeAll(keepingCapacity: true)
    }

    /// Reads what fits into the input buffer (at most `inputLimit` unparsed
    /// bytes: the rest of a pipeline waits in the kernel). Returns false
    /// when the connection failed and was closed.
    private func readInput(_ c: Connection) -> Bool {
        while true {
            let room = c.inputLimit - c.bufferedInput
            if room <= 0 { return true }
            c.reserveInput(minimum: min(2048, room))
            let end = min(c.input.count, c.inputEnd + room)
            let r: IOResult<Int>
            do {
                r = try c.input.withUnsafeMutableBytes { p in
                    try c.fd.read(into: UnsafeMutableRawBufferPointer(rebasing: p[c.inputEnd..<end]))
                }
            } catch {
                // ECONNRESET and friends: the peer is gone.
                close(c)
                return false
            }
            switch r {
            case .wouldBlock:
                return true
            case .done(0):
                c.inputClosed = true
                return true
            case .done(let n):
                c.inputEnd += n
                if c.inputEnd < end { return true } // drained the socket
            }
        }
    }

    /// One turn of a connection: read, answer up to a budget of requests,
    /// write. A connection with unparsed requests left goes to the back of
    /// the ready list, so every connection gets its turn in order.
    private func turn(_ c: Connection) {
        if c.phase == .lingering {
            guard readInput(c) else { return }
            c.inputStart = 0; c.inputEnd = 0
            if c.inputClosed { close(c) }
            return
        }
        if !c.inputClosed && !c.flow.paused && !c.closeAfterWrite {
            guard readInput(c) else { return }
        }
        let end: TurnEnd = c.bufferedInput > 0 ? process(c) : .needMore
        guard isOpen(c) else { return }
        switch end {
        case .budgetSpent:
            enqueue(c)
        case .needMore where c.inputClosed:
            // Half-closed by the client and nothing complete is left: finish what we owe, then close.
            if c.hasPendingOutput { c.closeAfterWrite = true } else { close(c); return }
        case .needMore, .paused, .closing:
            break
        }
        updateInterest(c)
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
        if c.phase == .idle {
            c.phase = .reading
            c.requestStarted = now
            c.deadline = now + options.headerTimeout
        }
        var budget = TurnBudget(now: now)
        var end = TurnEnd.needMore
        parsing: while c.bufferedInput > 0 && !c.closeAfterWrite {
            if c.flow.paused || c.flow.isFull(unsent: c.unsentOutput) {
                flush(c)
                guard isOpen(c) else { return .closing }
                if c.flow.paused { end = .paused; break parsing }
            }
            let (consumed, result) = c.input.withUnsafeBytes { p in
                c.parser.parse(UnsafeRawBufferPointer(rebasing: p[c.inputStart..<c.inputEnd]))
            }
            c.inputStart += consumed
            switch result {
            case .needMore:
                if c.parser.isReadingBody {
                    if c.deadline < now + options.bodyTimeout && c.deadline <= c.requestStarted + options.headerTimeout {
                        c.deadline = now + options.bodyTimeout
                    }
                }
                break parsing
            case .expectContinue:
                c.output.append(contentsOf: EventLoop.continueLine)
                c.deadline = now + options.bodyTimeout
            case .request(let parsed):
                respond(c, to: parsed)
                let after = Clock.monotonicNanoseconds()
                c.phase = c.bufferedInput > 0 ? .reading : .idle
                c.requestStarted = after
                c.deadline = after + (c.phase == .idle ? options.keepalive : options.headerTimeout)
                if c.phase == .idle { c.idleSince = after }
                if !budget.spend(now: after) && c.bufferedInput > 0 { end = .budgetSpent; break parsing }
            case .failure(let error):
                fail(c, status: error.status, message: error.message)
                return .closing
            }
        }
        c.resetInputIfConsumed()
        flush(c)
        guard isOpen(c) else { return .closing }
        if c.closeAfterWrite { return .closing }
        return c.flow.paused ? .paused : end
    }

    /// How long a draining worker keeps an idle keep-alive connection open
    /// for a request that may already be in flight.
    static let drainIdleGrace: UInt64 = 1_000_000_000
    /// At most one connection shed per this interval (rebalancing keep-alive load).
    static let shedInterval: UInt64 = 50_000_000
    static let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
    static let healthBody = Array(#"{"status":"healthy"}"#.utf8)

    private func respond(_ c: Connection, to parsed: ParsedRequest) {
        var request = parsed.request
        request.remoteAddress = c.remoteAddress
        let start = Clock.monotonicNanoseconds()
        me.requestStart = start
        // The loop is alive even if one batch holds many slow requests.
        me.heartbeat = start
        me.state = .handling
        me.setCurrentRequest(method: request.method, path: request.path)
        var response: HTTPResponse
        let isRead = request.method == "GET" || request.method == "HEAD"
        if c.isAdmin {
            response = adminResponse(request, isRead: isRead, now: start)
        } else if request.path == "/health" && isRead {
            // Liveness of this worker: answered in every application, no I/O.
            response = HTTPResponse(status: 200, headers: EventLoop.jsonHeaders, body: EventLoop.healthBody)
        } else if request.path == "/health/ready" && (request.method == "GET" || request.method == "HEAD") && (draining || unready) {
            response = HTTPResponse.json(503, #"{"status":"unavailable","error":"service_unavailable","message":"server is shutting down"}"#)
        } else {
            response = app.handle(request)
        }
        me.requestStart = 0
        if !c.isAdmin {
            me.counters.record(route: RequestCounters.RouteClass.of(path: request.path), status: response.status,
                               nanoseconds: Clock.monotonicNanoseconds() - start)
        }
        if let accessLog {
            let id = accessLog.requestID(for: request)
            response.headers.set("X-Request-ID", id)
            accessLog.log(request: request, response: response, requestID: id,
                          durationNanoseconds: Clock.monotonicNanoseconds() - start,
                          bytesSent: parsed.isHead ? 0 : response.body.count)
        } else if let id = AccessLog.incomingRequestID(request) {
            response.headers.set("X-Request-ID", id)
        }
        // A drain requested while the handler ran: this response already says close.
        if !draining && !quitting && me.drainRequested { beginDrain() }
        let keepAlive = parsed.keepAlive && options.keepalive > 0 && !draining && !quitting && !shouldShedConnection()
        requestsServed &+= 1
        me.requests = requestsServed
        me.state = .idle
        c.served = true
        ResponseWriter.write(response, into: &c.output, date: date.current(), headOnly: parsed.isHead,
                             close: !keepAlive, http10KeepAlive: keepAlive && request.minorVersion == 0)
        if !keepAlive { c.closeAfterWrite = true }
    }

    static let jsonHeaders = HTTPHeaders([("Content-Type", "application/json")])

    /// The admin listener: health, readiness, /status and /metrics only.
    private func adminResponse(_ request: HTTPRequest, isRead: Bool, now: UInt64) -> HTTPResponse {
        guard isRead else { return .json(405, #"{"error":"method_not_allowed","message":"admin endpoints are read-only"}"#, headers: [("Allow", "GET, HEAD")]) }
        switch request.path {
        case "/health": return HTTPResponse(status: 200, headers: EventLoop.jsonHeaders, body: EventLoop.healthBody)
        case "/health/ready":
            if draining || unready {
                return .json(503, #"{"status":"unavailable","error":"service_unavailable","message":"server is shutting down"}"#)
            }
            let (ok, detail) = app.isReady()
            var w = JSONWriter()
            w.beginObject()
            if ok { w.field("status", "ready") } else { w.field("status", "unavailable"); w.field("error", "service_unavailable"); w.field("message", detail) }
            w.endObject()
            return HTTPResponse(status: ok ? 200 : 503, headers: EventLoop.jsonHeaders, body: w.bytes)
        case "/status": return admin.status(now: now)
        case "/metrics": return admin.metrics()
        default: return .json(404, #"{"error":"not_found","message":"admin endpoints: /health, /health/ready, /status, /metrics"}"#)
        }
    }

    /// Answers a framing error and closes: nothing after a bad request on
    /// this connection is ever processed.
    private func fail(_ c: Connection, status: Int, message: String) {
        let response = ResponseWriter.errorResponse(status: status, message: message)
        ResponseWriter.write(response, into: &c.output, date: date.current(), headOnly: false, close: true, http10KeepAlive: false)
        c.closeAfterWrite = true
        c.inputStart = 0
        c.inputEnd = 0
        flush(c)
        if isOpen(c) { updateInterest(c) }
    }

    /// Writes pending output until the socket is full; `OutputFlow` then
    /// decides whether reading pauses, and its deadline runs from the last
    /// byte written.
    private func flush(_ c: Connection) {
        let wasWaiting = c.flow.deadline != nil
        var progressed = false
        writing: while c.hasPendingOutput {
            let r: IOResult<Int>
            do {
                r = try c.output.withUnsafeBytes { p in
                    try c.fd.write(UnsafeRawBufferPointer(rebasing: p[c.outputSent...]))
                }
            } catch {
                close(c)
                return
            }
            switch r {
            case .done(let n):
                c.outputSent += n
                progressed = true
            case .wouldBlock:
                break writing
            }
        }
        // The clock is read only when output waits or waited for the socket.
        let now = c.hasPendingOutput || wasWaiting ? Clock.monotonicNanoseconds() : 0
        let change = c.flow.wrote(unsent: c.unsentOutput, progressed: progressed, now: now)
        if !c.hasPendingOutput {
            c.resetOutputIfDone()
            if wasWaiting {
                // The input phase's clock starts over once the client has read everything.
                c.deadline = now + (c.phase == .idle ? options.keepalive : options.headerTimeout)
                if c.phase == .idle { c.idleSince = now }
            }
            if c.closeAfterWrite { closeGracefully(c); return }
        }
        // Resumed: buffered requests, or a half-closed client to finish, need a turn.
        if change == .resume && (c.bufferedInput > 0 || c.inputClosed) { enqueue(c) }
        if change != .none || wasWaiting != (c.flow.deadline != nil) { updateInterest(c) }
    }

    /// Registers the events the connection's state needs: input unless
    /// paused, closed by the client, or about to close; output while it
    /// waits for the socket.
    private func updateInterest(_ c: Connection) {
        var wanted: UInt32 = 0
        if c.phase == .lingering || (!c.inputClosed && !c.flow.paused && !c.closeAfterWrite) {
            wanted |= Epoll.readable | Epoll.peerClosed
        }
        if c.flow.deadline != nil { wanted |= Epoll.writable }
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
    private func closeGracefully(_ c: Connection) {
        // The client already closed its side: nothing more can arrive.
        if c.inputClosed { close(c); return }
        if c.bufferedInput == 0 && c.parser.isIdle && !quitting {
            // Nothing unread that we know of: a plain close is safe.
            do {
                if try Socket.pendingBytes(c.fd) == 0 { close(c); return }
            } catch { close(c); return }
        }
        do { try Socket.shutdown(c.fd, how: Int32(SHUT_WR)) } catch { close(c); return }
        c.phase = .lingering
        c.deadline = Clock.monotonicNanoseconds() + options.lingerTime
        updateInterest(c)
    }

    func close(_ c: Connection) {
        let index = Int(c.fd.rawValue)
        guard index < connections.count, connections[index] === c else { return }
        connections[index] = nil
        let last = open.removeLast()
        if last !== c {
            open[c.listIndex] = last
            last.listIndex = c.listIndex
        }
        if c.isAdmin { adminOpen -= 1 } else { publicOpen -= 1 }
        // close(2) also removes the fd from the epoll set.
        if let e = c.fd.closeAfterFailure() { logger.debug("\(e)") }
        me.connections = UInt64(publicOpen)
        if !draining && !quitting { rebalance() }
    }

    /// True when the kernel holds bytes we have not read yet (a failing
    /// ioctl means the socket is broken: nothing to serve).
    private func hasUnreadBytes(_ c: Connection) -> Bool {
        do { return try Socket.pendingBytes(c.fd) > 0 } catch { return false }
    }

    /// Closes connections whose deadline passed: output that made no
    /// progress for `write_timeout`, else the input phase's deadline, and
    /// under pressure connections that sent nothing within a short time.
    private func sweep(now: UInt64) {
        var expired: [Connection] = []
        let underPressure = pressure.isUnderPressure(open: publicOpen)
        for c in open {
            if c.flow.deadline != nil {
                if c.flow.isStalled(now: now) { expired.append(c) }
                continue
            }
            switch c.phase {
            case .idle:
                if !c.served && !c.isAdmin && underPressure
                    && pressure.silentExpired(acceptedAt: c.idleSince, open: publicOpen, now: now) {
                    expired.append(c)
                    continue
                }
                guard now >= c.deadline else { continue }
                if c.served && options.keepalive == 0 { continue }
                // Bytes already waiting are a request racing the timeout: serve it.
                if c.served && hasUnreadBytes(c) { continue }
                expired.append(c)
            case .reading, .lingering:
                if now >= c.deadline { expired.append(c) }
            }
        }
        for c in expired {
            if c.flow.deadline != nil {
                logger.debug("closing connection from \(c.remoteAddress): write_timeout")
            } else if c.phase == .reading && c.parser.isReadingBody {
                logger.debug("closing connection from \(c.remoteAddress): body_read_timeout")
            }
            close(c)
        }
        if !draining && !quitting { rebalance() }
    }

    /// About once a second: publish RSS for max_worker_memory, let the
    /// application reconnect or expire caches.
    private func housekeeping() {
        if let rss = Process.residentBytes(of: Process.id) { me.rss = UInt64(rss) }
        app.tick()
    }

    // MARK: control and signals

    private func readControl() {
        var buf = [UInt8](repeating: 0, count: 16)
        while true {
            let r: IOResult<Int>
            do { r = try buf.withUnsafeMutableBytes { try control.read(into: $0) } } catch {
                logger.warning("control socket: \(error); draining")
                beginDrain()
                return
            }
            switch r {
            case .wouldBlock: return
            case .done(0):
                // The master is gone: finish what we have and exit.
                logger.warning("master closed the control socket; draining")
                do { try epoll.remove(control) } catch { logger.debug("\(error)") }
                beginDrain()
                return
            case .done(let n):
                for b in buf[0..<n] {
                    switch ControlMessage(rawValue: b) {
                    case .drain?: beginDrain()
                    case .quit?: beginQuit()
                    case .reopenLogs?: reopenLogs()
                    case .unready?: unready = true
                    default: logger.warning("unexpected control byte \(b)")
                    }
                }
            }
        }
    }

    private func readSignals() {
        let sigs: [Int32]
        do { sigs = try signals.drain() } catch { logger.error("\(error)"); return }
        for s in sigs {
            switch s {
            case Signal.TERM: beginDrain()
            case Signal.INT, Signal.QUIT: beginQuit()
            case Signal.USR1: reopenLogs()
            default: break
            }
        }
    }

    private func reopenLogs() {
        do { try logger.reopen() } catch { logger.error("reopening the error log: \(error)") }
        installAbortReporter()
        do { try accessLog?.reopen() } catch { logger.error("reopening the access log: \(error)") }
    }

    /// Graceful: accept what is already queued, stop accepting, finish
    /// in-flight requests, close idle keep-alive connections, exit.
    func beginDrain() {
        guard !draining && !quitting else { return }
        draining = true
        drainStarted = Clock.monotonicNanoseconds()
        me.state = .draining
        sendControl(.draining)
        // Serve what is already in the listen backlog rather than dropping it.
        if listening || adminListening {
            for i in listeners.indices where i < publicListenerCount ? listening : adminListening {
                var accepted = 0
                acceptLoop: while accepted < options.maxConnections {
                    do {
                        guard case .done(let (fd, peer)) = try Socket.acceptWithPeer(listeners[i]) else { break acceptLoop }
                        register(fd: fd, peer: peer, admin: i >= publicListenerCount)
                        accepted += 1
                    } catch {
                        logger.debug("accept while draining: \(error)")
                        break acceptLoop
                    }
                }
            }
        }
        do {
            try setListening(false)
            try setAdminListening(false)
        } catch { logger.warning("\(error)") }
        // Idle keep-alive connections are not cut at once: a request may be
        // on its way. Each gets a short grace; a request that arrives in it is
        // answered with Connection: close, and the sweep closes the rest.
        let grace = min(options.keepalive, EventLoop.drainIdleGrace)
        for c in open where c.phase == .idle && c.deadline > drainStarted + grace {
            c.deadline = drainStarted + grace
        }
        logger.info("draining: \(open.count) connections open")
    }

    /// Quick: finish only output already produced, then exit within the grace.
    func beginQuit() {
        guard !quitting else { return }
        quitting = true
        drainStarted = Clock.monotonicNanoseconds()
        me.state = .draining
        do {
            try setListening(false)
            try setAdminListening(false)
        } catch { logger.warning("\(error)") }
        for c in open where !c.hasPendingOutput { close(c) }
    }

    private func checkDrained(now: UInt64) {
        if quitting {
            if open.isEmpty || now >= drainStarted + options.quickStopGrace { running = false }
            return
        }
        if open.isEmpty { running = false }
    }

    private func sendControl(_ m: ControlMessage) {
        var b = m.rawValue
        do { _ = try withUnsafeBytes(of: &b) { try control.write($0) } } catch {
            logger.debug("control write: \(error)")
        }
    }
}
