import Glibc
import Posix
import ServerCore

/// Accepting: listeners in and out of the epoll set, new connections, and
/// the accept balancer's decisions carried out.
extension EventLoop {
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
    func acceptOne(listenerIndex: Int) {
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
                stopAccepting()
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
        register(fd: fd, peer: peer, listener: listenerIndex)
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
            choice.consider(i, c.machine.served ? .keepAlive : .silent, idleSince: c.machine.idleSince)
        }
        return choice.index.map { open[$0] }
    }

    /// Adds a connection accepted on listener `index`; on a TLS listener it
    /// gets its session and starts with the handshake.
    func register(fd: FileDescriptor, peer: SocketAddress?, listener index: Int) {
        let admin = index >= publicListenerCount
        var transport = ConnectionTransport.plain
        if let tls, listenerUsesTLS[index] {
            do { transport = .tls(try TLSSession(context: tls, fd: fd.rawValue)) } catch {
                logger.warning("new connection: \(error)")
                fd.closeAfterFailure()
                return
            }
        }
        let machine = ConnectionMachine(timeouts: timeouts, flow: flowTemplate, now: Clock.monotonicNanoseconds(),
                                        handshake: transport.needsHandshake)
        let c = Connection(fd: fd, remoteAddress: peer?.host ?? "", limits: options.limits, machine: machine, transport: transport)
        c.isAdmin = admin
        if !admin, let proxies = options.proxyProtocolFrom { c.awaitsProxyHeader = proxies.isTrusted(c.remoteAddress) }
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
        me.connections = UInt64(publicOpen)
    }

    /// Takes every listener out of the epoll set until connections close
    /// (out of descriptors or memory).
    private func stopAccepting() {
        do {
            try setListening(false)
            try setAdminListening(false)
        } catch { logger.error("\(error)") }
    }

    /// The other serving workers, as the accept balancer sees them.
    var peers: ServingPeers { ServingPeers(scoreboard: scoreboard, entry: entry, workers: options.workers) }

    /// Carries out the accept balancer's decision for the public listeners;
    /// the admin listeners follow their own capacity. At `worker_connections`
    /// the worker keeps accepting only while it holds an idle connection to
    /// close for a new one.
    func rebalance() {
        guard !lifecycle.isStopping else { return }
        if options.adminListeners > 0 {
            let admit = !adminPressure.isFull(open: adminOpen) || longestIdle(admin: true) != nil
            if admit != adminListening {
                do { try setAdminListening(admit) } catch { logger.error("\(error)") }
            }
        }
        let canAdmit = !pressure.isFull(open: publicOpen) || longestIdle(admin: false) != nil
        let shouldListen = balancer.decide(mine: publicOpen, canAdmit: canAdmit, listening: listening, peers: peers,
                                           backlogWaiting: { self.backlogWaiting() }) == .listen
        if shouldListen != listening {
            do { try setListening(shouldListen) } catch { logger.error("\(error)") }
        }
    }

    /// True when a public listener has connections queued (TCP_INFO; a Unix
    /// socket or a failing call counts as empty).
    private func backlogWaiting() -> Bool {
        for l in listeners.prefix(publicListenerCount) {
            do { if try Socket.listenQueue(l).queued > 0 { return true } } catch { continue }
        }
        return false
    }

    /// Whether the response being written should close its connection so
    /// its client reconnects to a less loaded worker (`AcceptBalancer`).
    func shouldShedConnection() -> Bool {
        guard publicOpen > 2 else { return false }
        return balancer.shouldShed(mine: publicOpen, peers: peers, now: Clock.monotonicNanoseconds())
    }
}
