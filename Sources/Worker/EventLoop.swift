import Glibc
import Posix
import ServerCore

/// The worker's only thread: one epoll loop that accepts, reads, parses,
/// runs the application synchronously, and writes. Slow clients never hold
/// the application: reading and writing are event-driven, and the
/// application only sees complete requests.
///
/// The loop owns epoll, dispatch and I/O only; each connection's bytes go
/// through its `ConnectionTransport` (plain or TLS). What to do is decided
/// by pure parts it feeds: each connection's `ConnectionMachine` (phases,
/// deadlines, keep-alive), the `AcceptBalancer` (listen or step back, shed),
/// the `RequestPipeline` (what answers a request), the `WorkerLifecycle`
/// (serving, draining, quitting), `OutputFlow`, `TurnBudget` and
/// `ConnectionPressure`.
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
        /// Under pressure, how long a connection that sent nothing may wait (`pressure_silent_timeout`).
        var pressureSilentTimeout: UInt64
        /// After INT or QUIT, how long open connections may take to close (`quick_stop_timeout`).
        var quickStopGrace: UInt64
        /// How long unread input is discarded after a half-close (`linger_time`).
        var lingerTime: UInt64
        /// How long a draining worker keeps an idle keep-alive connection open
        /// for a request that may already be in flight (`drain_idle_timeout`).
        var drainIdleGrace: UInt64
        /// `proxy_protocol`: the peers whose public connections start with a
        /// PROXY protocol header (`proxy_allow_ips`); nil when off.
        var proxyProtocolFrom: ProxyTrust? = nil
    }

    // epoll user data: kind in the high 32 bits, fd or index in the low.
    enum Tag: UInt64 { case connection = 0, listener = 1, control = 2, signal = 3 }

    let epoll: Epoll
    let options: Options
    let app: Application
    let logger: Logger
    let pipeline: RequestPipeline
    /// The access log, when `accesslog` is set.
    var accessLog: AccessLog? {
        get { pipeline.accessLog }
        set { pipeline.accessLog = newValue }
    }
    let slot: Int
    let scoreboard: Scoreboard
    let me: ScoreboardSlot
    let entry: Int
    var listeners: [FileDescriptor]
    /// The worker's TLS context, when `certfile` and `keyfile` are set.
    let tls: TLSServerContext?
    /// Per listener: its connections speak TLS (every public TCP listener
    /// when TLS is on; Unix sockets and admin listeners stay plain).
    let listenerUsesTLS: [Bool]
    /// Whether kTLS sends are on was logged (once, at the first handshake).
    var reportedKernelTLS = false
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
    var balancer = AcceptBalancer()
    /// Each new connection's timeouts and backpressure state.
    let timeouts: ConnectionMachine.Timeouts
    let flowTemplate: OutputFlow
    /// Public listeners are in the epoll set.
    var listening = false
    /// Admin listeners are in the epoll set (they have capacity of their own).
    var adminListening = false
    var lifecycle = WorkerLifecycle.starting
    var date = HTTPDate()
    var requestsServed: UInt64 = 0
    let events: UnsafeMutablePointer<EpollEvent>
    let eventCapacity: Int32 = 256
    var nextSweep: UInt64 = 0
    var nextHousekeeping: UInt64 = 0
    let sweepInterval: UInt64

    init(options: Options, app: Application, logger: Logger, slot: Int, scoreboard: Scoreboard, entry: Int,
         listeners: [FileDescriptor], control: FileDescriptor, tls: TLSServerContext? = nil) throws {
        self.options = options
        self.app = app
        self.logger = logger
        self.slot = slot
        self.scoreboard = scoreboard
        me = scoreboard.slot(entry)
        self.entry = entry
        self.listeners = listeners
        self.control = control
        self.tls = tls
        epoll = try Epoll()
        signals = try SignalPipe(signals: [Signal.TERM, Signal.INT, Signal.QUIT, Signal.USR1])
        events = .allocate(capacity: Int(eventCapacity))
        var publicListeners: [(address: String, fd: FileDescriptor)] = []
        var usesTLS = [Bool](repeating: false, count: listeners.count)
        for (i, l) in listeners.prefix(listeners.count - options.adminListeners).enumerated() {
            let address = try Socket.localAddress(l)
            publicListeners.append((address?.description ?? "fd \(l.rawValue)", l))
            usesTLS[i] = tls != nil && address.map { $0.family != AF_UNIX } ?? false
        }
        listenerUsesTLS = usesTLS
        pipeline = RequestPipeline(app: app, admin: AdminEndpoints(scoreboard: scoreboard, listeners: publicListeners,
                                                                   routes: RouteLabels(templates: app.routeTemplates)), me: me)
        // Check timeouts often enough for the shortest one, but never spin.
        pressure = ConnectionPressure(capacity: options.maxConnections,
                                      silentTimeout: min(options.headerTimeout, options.pressureSilentTimeout))
        adminPressure = ConnectionPressure(capacity: options.adminConnections)
        flowTemplate = OutputFlow(highWater: options.outputHighWater, writeTimeout: options.writeTimeout)
        timeouts = options.connectionTimeouts
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

    /// Runs until drained or told to quit. Returns the exit code.
    func run() -> WorkerExitCode {
        installAbortReporter()
        lifecycle.started()
        publishState()
        sendControl(.ready)
        while true {
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
            if (!listening || (options.adminListeners > 0 && !adminListening)) && !lifecycle.isStopping { rebalance() }
            let after = Clock.monotonicNanoseconds()
            if after >= nextSweep {
                nextSweep = after + sweepInterval
                sweep(now: after)
                if after >= nextHousekeeping {
                    nextHousekeeping = after + 1_000_000_000
                    housekeeping()
                }
            }
            if lifecycle.isFinished(open: open.count, now: after) { break }
        }
        logger.info("worker exiting after \(requestsServed) requests")
        return .normal
    }

    private func waitTimeout(now: UInt64) -> Int32 {
        let stopping = lifecycle.isStopping
        if open.isEmpty && !stopping { return 1000 }
        let until = nextSweep > now ? nextSweep - now : 0
        // Not accepting: re-check the others' load soon even without traffic.
        let cap: UInt64 = listening || stopping ? 1000 : 10
        return Int32(min(cap, (until + 999_999) / 1_000_000))
    }

    /// The scoreboard's view of this worker's state, derived from the
    /// lifecycle (`handling`: a request is in the application).
    func publishState(handling: Bool = false) {
        lifecycle.publish(to: me, handling: handling)
    }

    func isOpen(_ c: Connection) -> Bool {
        let index = Int(c.fd.rawValue)
        return index < connections.count && connections[index] === c
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
        c.transport.closeNotify()
        // close(2) also removes the fd from the epoll set.
        if let e = c.fd.closeAfterFailure() { logger.debug("\(e)") }
        me.connections = UInt64(publicOpen)
        if !lifecycle.isStopping { rebalance() }
    }

    /// True when the kernel or the TLS session holds bytes we have not
    /// read yet (a failing ioctl means the socket is broken: nothing to serve).
    func hasUnreadBytes(_ c: Connection) -> Bool {
        if c.transport.hasBufferedInput { return true }
        do { return try Socket.pendingBytes(c.fd) > 0 } catch { return false }
    }

    /// Closes connections whose deadline passed (each connection's machine
    /// says which), and under pressure connections that sent nothing
    /// within a short time.
    private func sweep(now: UInt64) {
        var expired: [(Connection, ConnectionMachine.Expiry)] = []
        let silent: UInt64? = pressure.isUnderPressure(open: publicOpen) ? pressure.silentTimeout : nil
        for c in open {
            switch c.machine.expiry(now: now, silentTimeout: c.isAdmin ? nil : silent) {
            case nil:
                continue
            case .keepAliveIdle?:
                // Bytes already waiting are a request racing the timeout: serve it.
                if hasUnreadBytes(c) { continue }
                expired.append((c, .keepAliveIdle))
            case let expiry?:
                expired.append((c, expiry))
            }
        }
        for (c, expiry) in expired {
            if expiry == .handshakeTimeout {
                logger.debug("closing connection from \(c.remoteAddress): TLS handshake not complete within header_read_timeout")
            } else if c.machine.waitsForSocket {
                logger.debug("closing connection from \(c.remoteAddress): write_timeout")
            } else if c.machine.phase == .reading && c.parser.isReadingBody {
                logger.debug("closing connection from \(c.remoteAddress): body_read_timeout")
            }
            close(c)
        }
        if !lifecycle.isStopping { rebalance() }
    }

    /// About once a second: publish RSS (for max_worker_memory) and the
    /// process figures, let the application reconnect or expire caches.
    private func housekeeping() {
        me.publishOwnFigures()
        app.tick()
    }
}
