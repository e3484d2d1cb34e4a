import Posix
import ServerCore

/// The master's control messages and signals, turned into lifecycle
/// transitions whose side effects the loop carries out.
extension EventLoop {
    /// Exit status of a worker that reported a timeout abort.
    static let abortedExitCode: Int32 = 70

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

    func readControl() {
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
                    case .unready?: lifecycle.becomeUnready()
                    default: logger.warning("unexpected control byte \(b)")
                    }
                }
            }
        }
    }

    func readSignals() {
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
        let now = Clock.monotonicNanoseconds()
        guard lifecycle.beginDrain(now: now) else { return }
        publishState()
        sendControl(.draining)
        // Serve what is already in the listen backlog rather than dropping it.
        if listening || adminListening {
            for i in listeners.indices where i < publicListenerCount ? listening : adminListening {
                var accepted = 0
                acceptLoop: while accepted < options.maxConnections {
                    do {
                        guard case .done(let (fd, peer)) = try Socket.acceptWithPeer(listeners[i]) else { break acceptLoop }
                        register(fd: fd, peer: peer, listener: i)
                        accepted += 1
                    } catch {
                        logger.debug("accept while draining: \(error)")
                        break acceptLoop
                    }
                }
            }
        }
        removeListeners()
        // Idle keep-alive connections are not cut at once: a request may be
        // on its way. Each gets a short grace; a request that arrives in it is
        // answered with Connection: close, and the sweep closes the rest.
        for c in open { c.machine.drainBegan(now: now) }
        logger.info("draining: \(open.count) connections open")
    }

    /// Quick: finish only output already produced, then exit within the grace.
    func beginQuit() {
        guard lifecycle.beginQuit(now: Clock.monotonicNanoseconds(), grace: options.quickStopGrace) else { return }
        publishState()
        removeListeners()
        for c in open where !c.hasPendingOutput { close(c) }
    }

    private func removeListeners() {
        do {
            try setListening(false)
            try setAdminListening(false)
        } catch { logger.warning("\(error)") }
    }

    func sendControl(_ m: ControlMessage) {
        var b = m.rawValue
        do { _ = try withUnsafeBytes(of: &b) { try control.write($0) } } catch {
            logger.debug("control write: \(error)")
        }
    }
}
