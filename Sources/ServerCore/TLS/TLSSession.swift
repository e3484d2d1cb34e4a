import CSSL
import CTLSShims

/// The TLS side of one connection (`SSL` over its socket): a non-blocking
/// handshake, then reads and writes of plaintext. Each call says what it
/// waits for, so the event loop registers the right epoll interest; no
/// call blocks.
public final class TLSSession {
    let ssl: OpaquePointer
    /// A fatal error happened: OpenSSL forbids a shutdown after one.
    private var broken = false
    /// close_notify was sent (or the session can no longer send it).
    private var shutDown = false

    /// What a handshake, read or write step came to.
    public enum Step: Equatable, Sendable {
        /// Done (the handshake), or this many bytes moved (a read or a write).
        case done(Int)
        /// Needs the socket readable.
        case wantRead
        /// Needs the socket writable.
        case wantWrite
        /// The peer ended the session (close_notify, or EOF).
        case closed
        /// The session failed: OpenSSL's reason (plaintext on a TLS port, a
        /// refused client certificate, a protocol error). Close the connection.
        case failed(String)
    }

    /// A session for the accepted socket `fd`, in the server role.
    public init(context: TLSServerContext, fd: Int32) throws(TLSError) {
        ERR_clear_error()
        guard let s = SSL_new(context.context) else { throw TLSError.fromQueue("SSL_new failed") }
        ssl = s
        guard SSL_set_fd(s, fd) == 1 else { throw TLSError.fromQueue("SSL_set_fd failed") }
        SSL_set_accept_state(s)
    }

    deinit { SSL_free(ssl) }

    /// Whether the handshake has completed.
    public var isEstablished: Bool { SSL_is_init_finished(ssl) == 1 }

    /// Advances the handshake.
    public func handshake() -> Step {
        ERR_clear_error()
        let r = SSL_do_handshake(ssl)
        return r == 1 ? .done(0) : step(after: r)
    }

    /// Reads decrypted bytes into `buffer`.
    public func read(into buffer: UnsafeMutableRawBufferPointer) -> Step {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return .done(0) }
        ERR_clear_error()
        var n = 0
        let r = SSL_read_ex(ssl, base, buffer.count, &n)
        return r == 1 ? .done(n) : step(after: r)
    }

    /// Encrypts and writes from `buffer`; with partial writes on, `.done(n)` may be short.
    public func write(_ buffer: UnsafeRawBufferPointer) -> Step {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return .done(0) }
        ERR_clear_error()
        var n = 0
        let r = SSL_write_ex(ssl, base, buffer.count, &n)
        return r == 1 ? .done(n) : step(after: r)
    }

    /// Sends close_notify without waiting for the peer's (the socket is
    /// closed or half-closed next). Once; nothing before the handshake
    /// completed or after a fatal error, when there is no session to end.
    public func shutdown() {
        guard !shutDown else { return }
        shutDown = true
        guard !broken && isEstablished else { return }
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    /// Decrypted or undecrypted bytes OpenSSL holds that the socket no longer
    /// reports: epoll will not wake for them.
    public var hasBufferedInput: Bool { SSL_has_pending(ssl) == 1 }

    /// The ALPN protocol agreed on, or nil when the client offered none.
    public var applicationProtocol: String? {
        var bytes = [CChar](repeating: 0, count: 32)
        let n = bytes.withUnsafeMutableBufferPointer { paddock_tls_alpn_selected(ssl, $0.baseAddress, 32) }
        guard n > 0 else { return nil }
        return String(decoding: bytes[..<Int(n)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The negotiated protocol version ("TLSv1.3").
    public var protocolVersion: String { String(cString: SSL_get_version(ssl)) }

    /// Whether the kernel encrypts what this session sends (kTLS).
    public var kernelSends: Bool { paddock_tls_ktls_send(ssl) == 1 }

    private func step(after result: Int32) -> Step {
        let code = SSL_get_error(ssl, result)
        switch code {
        case SSL_ERROR_WANT_READ:
            return .wantRead
        case SSL_ERROR_WANT_WRITE:
            return .wantWrite
        case SSL_ERROR_ZERO_RETURN:
            return .closed
        case SSL_ERROR_SYSCALL:
            broken = true
            let reasons = TLSError.drainQueue()
            return reasons.isEmpty ? .closed : .failed(reasons)
        default:
            broken = true
            let reasons = TLSError.drainQueue()
            return .failed(reasons.isEmpty ? "TLS error \(code)" : reasons)
        }
    }
}
