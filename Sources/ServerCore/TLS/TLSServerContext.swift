import CSSL
import CTLSShims

/// One worker's OpenSSL server context (`SSL_CTX`): the certificate chain
/// and key, client certificate checks, the minimum version, ciphers and
/// ALPN. Built once per worker, before it drops privileges; the master
/// builds one too, only to check the files (`validate`). Every connection's
/// `TLSSession` is made from it.
public final class TLSServerContext {
    let context: OpaquePointer
    public let configuration: TLSConfiguration

    public init(_ configuration: TLSConfiguration) throws(TLSError) {
        self.configuration = configuration
        ERR_clear_error()
        guard let ctx = SSL_CTX_new(TLS_server_method()) else { throw TLSError.fromQueue("SSL_CTX_new failed") }
        context = ctx
        paddock_tls_ctx_configure(ctx, configuration.kernelTLS ? 1 : 0)
        let version = configuration.minimumVersion == .tls13 ? TLS1_3_VERSION : TLS1_2_VERSION
        guard paddock_tls_ctx_set_min_version(ctx, version) == 1 else {
            throw TLSError.fromQueue("ssl_min_version \(configuration.minimumVersion.rawValue) is not supported")
        }
        guard SSL_CTX_use_certificate_chain_file(ctx, configuration.certfile) == 1 else {
            throw TLSError.fromQueue("certfile \(configuration.certfile)")
        }
        guard SSL_CTX_use_PrivateKey_file(ctx, configuration.keyfile, SSL_FILETYPE_PEM) == 1 else {
            throw TLSError.fromQueue("keyfile \(configuration.keyfile)")
        }
        guard SSL_CTX_check_private_key(ctx) == 1 else {
            throw TLSError.fromQueue("keyfile \(configuration.keyfile) does not match certfile \(configuration.certfile)")
        }
        if !configuration.ciphers.isEmpty {
            guard SSL_CTX_set_cipher_list(ctx, configuration.ciphers) == 1 else {
                throw TLSError.fromQueue("ciphers \(configuration.ciphers)")
            }
        }
        if !configuration.caCerts.isEmpty {
            guard SSL_CTX_load_verify_locations(ctx, configuration.caCerts, nil) == 1 else {
                throw TLSError.fromQueue("ca_certs \(configuration.caCerts)")
            }
            guard let names = SSL_load_client_CA_file(configuration.caCerts) else {
                throw TLSError.fromQueue("ca_certs \(configuration.caCerts): no certificate names")
            }
            SSL_CTX_set_client_CA_list(ctx, names)
        }
        switch configuration.clientCertificates {
        case .none: SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nil)
        case .optional: SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nil)
        case .required: SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
        }
        paddock_tls_ctx_set_alpn_http11(ctx)
    }

    deinit { SSL_CTX_free(context) }

    /// Checks that `configuration`'s files load and match, as a worker will
    /// load them; throws OpenSSL's reason naming the file.
    public static func validate(_ configuration: TLSConfiguration) throws(TLSError) {
        _ = try TLSServerContext(configuration)
    }

    /// Shares session ticket keys (80 bytes) among every worker, so a
    /// client resumes its session whichever worker accepts it.
    public func setTicketKeys(_ keys: [UInt8]) throws(TLSError) {
        precondition(keys.count == 80, "ticket keys are 80 bytes")
        let ok = keys.withUnsafeBufferPointer { paddock_tls_ctx_set_ticket_keys(context, $0.baseAddress, 80) }
        guard ok == 1 else { throw TLSError.fromQueue("setting session ticket keys") }
    }
}
