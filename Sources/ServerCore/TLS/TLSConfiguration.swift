/// The TLS settings of a configuration, resolved: what a worker needs to
/// build its `TLSServerContext`, and what the master checks at start, for
/// `--check-config` and on `HUP`.
public struct TLSConfiguration: Sendable, Equatable {
    public var certfile: String
    public var keyfile: String
    public var caCerts: String
    public var clientCertificates: ClientCertificatePolicy
    public var minimumVersion: TLSProtocolVersion
    public var ciphers: String
    /// SSL_OP_ENABLE_KTLS: records are encrypted by the kernel where it can.
    public var kernelTLS: Bool

    public init(certfile: String, keyfile: String, caCerts: String = "", clientCertificates: ClientCertificatePolicy = .none,
                minimumVersion: TLSProtocolVersion = .tls12, ciphers: String = "", kernelTLS: Bool = false) {
        self.certfile = certfile
        self.keyfile = keyfile
        self.caCerts = caCerts
        self.clientCertificates = clientCertificates
        self.minimumVersion = minimumVersion
        self.ciphers = ciphers
        self.kernelTLS = kernelTLS
    }

    /// The configuration's TLS settings; nil when `certfile` and `keyfile`
    /// are both empty (plain HTTP). One without the other, or a client
    /// certificate policy without `ca_certs`, is an error naming the keys.
    public init?(_ config: Configuration) throws(ConfigError) {
        let cert = config[Settings.certfile], key = config[Settings.keyfile]
        if cert.isEmpty && key.isEmpty { return nil }
        if cert.isEmpty { throw ConfigError("\(config.source(of: Settings.keyfile.key)): keyfile is set but certfile is not") }
        if key.isEmpty { throw ConfigError("\(config.source(of: Settings.certfile.key)): certfile is set but keyfile is not") }
        let policy = config[Settings.certReqs]
        if policy != .none && config[Settings.caCerts].isEmpty {
            throw ConfigError("\(config.source(of: Settings.certReqs.key)): cert_reqs = \(policy.rawValue) needs ca_certs")
        }
        self.init(certfile: cert, keyfile: key, caCerts: config[Settings.caCerts], clientCertificates: policy,
                  minimumVersion: config[Settings.sslMinVersion], ciphers: config[Settings.ciphers],
                  kernelTLS: config[Settings.sslKtls])
    }
}
