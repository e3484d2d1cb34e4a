import Posix
import ServerCore

/// The start of a TLS connection: the PROXY protocol header a proxy sends
/// in front of the handshake, then the handshake, one non-blocking step per
/// event. Both must end within `header_read_timeout` of the accept (the
/// connection machine's `.handshaking` phase); a failure closes the
/// connection at once and costs the worker nothing else.
extension EventLoop {
    /// Advances `c`'s handshake. Returns false when the connection was closed.
    func handshake(_ c: Connection) -> Bool {
        if c.awaitsProxyHeader {
            guard takeProxyHeaderBeforeHandshake(c) else { return false }
            if c.awaitsProxyHeader { return true }
        }
        let outcome = c.transport.handshake()
        c.waits.afterRead(outcome)
        switch outcome {
        case .moved:
            c.machine.handshakeCompleted()
            if !reportedKernelTLS, case .tls(let session) = c.transport {
                reportedKernelTLS = true
                logger.debug("TLS \(session.protocolVersion) with \(c.remoteAddress): kernel TLS send \(session.kernelSends ? "active" : "not active")")
            }
            return true
        case .wait:
            return true
        case .ended:
            logger.debug("closing connection from \(c.remoteAddress): closed during the TLS handshake")
            close(c)
            return false
        case .failed(let reason):
            // Plaintext on a TLS port, a refused certificate, a scanner: the
            // client's doing, so not an error of the server's.
            logger.info("closing connection from \(c.remoteAddress): TLS handshake failed: \(reason)")
            close(c)
            return false
        }
    }

    /// Reads the PROXY protocol header without taking a byte of the TLS
    /// handshake behind it, which OpenSSL reads from the socket itself: the
    /// waiting bytes are peeked, and only those that belong to the header
    /// are read (all of them while it is incomplete, so level-triggered
    /// epoll does not report the same bytes again). Returns false when the
    /// connection was closed.
    private func takeProxyHeaderBeforeHandshake(_ c: Connection) -> Bool {
        let room = c.inputLimit - c.bufferedInput
        c.reserveInput(minimum: min(2048, room))
        let end = min(c.input.count, c.inputEnd + room)
        let peeked: IOResult<Int>
        do {
            peeked = try c.input.withUnsafeMutableBytes { p in
                try Socket.peek(c.fd, into: UnsafeMutableRawBufferPointer(rebasing: p[c.inputEnd..<end]))
            }
        } catch {
            close(c)
            return false
        }
        guard case .done(let n) = peeked else { return true }
        guard n > 0 else { close(c); return false } // closed before the header was complete
        let outcome = c.input.withUnsafeBytes { p in
            ProxyProtocolHeader.parse(UnsafeRawBufferPointer(rebasing: p[c.inputStart..<(c.inputEnd + n)]))
        }
        let take: Int
        var client: String?
        switch outcome {
        case .needMore:
            take = n
        case .header(let length, let source):
            take = length - c.bufferedInput
            client = source
        case .invalid(let reason):
            logger.info("closing connection from \(c.remoteAddress): \(reason)")
            close(c)
            return false
        }
        // The same bytes again, now consumed: nothing else reads this socket.
        let read: IOResult<Int>
        do {
            read = try c.input.withUnsafeMutableBytes { p in
                try c.fd.read(into: UnsafeMutableRawBufferPointer(rebasing: p[c.inputEnd..<(c.inputEnd + take)]))
            }
        } catch {
            close(c)
            return false
        }
        guard case .done(let got) = read, got == take else { close(c); return false }
        c.inputEnd += got
        if case .header = outcome {
            c.awaitsProxyHeader = false
            if let client { c.remoteAddress = client }
            c.inputStart = 0
            c.inputEnd = 0
        }
        return true
    }
}
