import Posix
import ServerCore

/// How a connection's bytes cross its socket: as they are, or through a
/// TLS session (a handshake, then records). The event loop reads, writes
/// and closes through it and gets the same outcomes either way, so the
/// loop's I/O has no TLS branches; what a blocked step waits for is kept
/// in `ConnectionTransport.Waits`.
enum ConnectionTransport {
    case plain
    case tls(TLSSession)

    /// What one handshake, read or write step came to.
    enum Outcome: Equatable {
        /// This many bytes moved; for a handshake, it completed.
        case moved(Int)
        /// The step goes on once the socket is readable or writable. A TLS
        /// read may wait for writable, a TLS write for readable.
        case wait(Readiness)
        /// The peer ended its side: EOF, or a TLS close_notify.
        case ended
        /// The connection is unusable (reset, plaintext on a TLS port, a
        /// refused client certificate, a protocol error): close it. The
        /// reason is for a log line.
        case failed(String)
    }

    enum Readiness: Equatable {
        case readable
        case writable
    }

    // MARK: steps

    /// A TLS connection.
    var isTLS: Bool {
        if case .tls = self { return true }
        return false
    }

    /// A TLS connection whose handshake has not completed yet.
    var needsHandshake: Bool {
        if case .tls(let session) = self { return !session.isEstablished }
        return false
    }

    /// Advances the handshake: `.moved(0)` once it is complete (at once for plain).
    func handshake() -> Outcome {
        guard case .tls(let session) = self else { return .moved(0) }
        return ConnectionTransport.outcome(of: session.handshake())
    }

    /// Reads what is available into `buffer`.
    func read(_ fd: FileDescriptor, into buffer: UnsafeMutableRawBufferPointer) -> Outcome {
        switch self {
        case .plain:
            do { return ConnectionTransport.outcome(of: try fd.read(into: buffer), blocked: .readable) } catch {
                return .failed("\(error)")
            }
        case .tls(let session):
            return ConnectionTransport.outcome(of: session.read(into: buffer))
        }
    }

    /// Writes from `buffer`; a short write is `.moved` with fewer bytes.
    func write(_ fd: FileDescriptor, _ buffer: UnsafeRawBufferPointer) -> Outcome {
        switch self {
        case .plain:
            do { return ConnectionTransport.outcome(of: try fd.write(buffer), blocked: .writable) } catch {
                return .failed("\(error)")
            }
        case .tls(let session):
            return ConnectionTransport.outcome(of: session.write(buffer))
        }
    }

    /// Input the transport holds that the socket no longer reports (TLS
    /// records OpenSSL read ahead of what was asked): epoll will not wake
    /// for it, so the loop gives the connection a turn of its own.
    var hasBufferedInput: Bool {
        if case .tls(let session) = self { return session.hasBufferedInput }
        return false
    }

    /// Before the socket is half-closed or closed: TLS says close_notify,
    /// so the client can tell the end of the stream from a truncation.
    /// Once per session, and never after the session failed.
    func closeNotify() {
        if case .tls(let session) = self { session.shutdown() }
    }

    // MARK: mapping

    /// A socket call's result: `blocked` is what a would-block waits for.
    static func outcome(of result: IOResult<Int>, blocked: Readiness) -> Outcome {
        switch result {
        case .wouldBlock: return .wait(blocked)
        case .done(0) where blocked == .readable: return .ended
        case .done(let n): return .moved(n)
        }
    }

    /// A TLS session step: WANT_READ and WANT_WRITE become what epoll waits for.
    static func outcome(of step: TLSSession.Step) -> Outcome {
        switch step {
        case .done(let n): return .moved(n)
        case .wantRead: return .wait(.readable)
        case .wantWrite: return .wait(.writable)
        case .closed: return .ended
        case .failed(let reason): return .failed(reason)
        }
    }
}
