extension Settings {
    static let tlsSection = "TLS"

    public static let certfile = Setting<String>(
        key: "certfile", default: "",
        flags: ["--certfile"], section: tlsSection, reload: .nextWorkers,
        summary: "PEM certificate chain (leaf first) for TLS on every public TCP bind; empty: plain HTTP.",
        doc: "With `keyfile`, every public TCP listener speaks TLS (as gunicorn, one certificate for all of them). Unix-socket binds and the admin listener stay plain: they are reached from the host itself. Workers load the files before dropping privileges, so a key only root can read (as certbot leaves it) works; the master reads them too (as root, at start, for `--check-config` and on every `HUP`) to check them, and a reload with a bad file keeps the old workers serving. A relative path is looked up in `$CREDENTIALS_DIRECTORY` when systemd sets it (`LoadCredential=tls.crt:/etc/letsencrypt/live/example.com/fullchain.pem`), as `keyfile` and `ca_certs` are. The master warns when a certificate expires within 14 days or has expired.")

    public static let keyfile = Setting<String>(
        key: "keyfile", default: "",
        flags: ["--keyfile"], section: tlsSection, reload: .nextWorkers,
        summary: "PEM private key of `certfile`.",
        doc: "Must match the certificate's public key; checked at start, by `--check-config` and on `HUP`.")

    public static let caCerts = Setting<String>(
        key: "ca_certs", default: "",
        flags: ["--ca-certs"], section: tlsSection, reload: .nextWorkers,
        summary: "PEM file of the certificate authorities that client certificates are checked against (`cert_reqs`).",
        doc: "Their names are also sent to clients as the acceptable issuers.")

    public static let certReqs = Setting<ClientCertificatePolicy>(
        key: "cert_reqs", default: .none,
        flags: ["--cert-reqs"], section: tlsSection, reload: .nextWorkers,
        summary: "Client certificates: `none` asks for none, `optional` checks one if sent, `required` refuses a client without a valid one.",
        doc: "`optional` and `required` need `ca_certs`. A gunicorn config may give gunicorn's numbers (0, 1, 2) or `ssl.CERT_NONE`, `ssl.CERT_OPTIONAL`, `ssl.CERT_REQUIRED`.")

    public static let sslMinVersion = Setting<TLSProtocolVersion>(
        key: "ssl_min_version", default: .tls12,
        flags: ["--ssl-min-version"], section: tlsSection, reload: .nextWorkers,
        summary: "The oldest TLS version accepted.",
        doc: "TLS 1.0 and 1.1 are never offered.")

    public static let ciphers = Setting<String>(
        key: "ciphers", default: "",
        flags: ["--ciphers"], section: tlsSection, reload: .nextWorkers,
        summary: "OpenSSL cipher list for TLS 1.2 (`ECDHE+AESGCM:...`); empty: OpenSSL's default.",
        doc: "TLS 1.3 suites are OpenSSL's defaults. A list OpenSSL cannot use is a configuration error.")

    public static let sslKtls = Setting<Bool>(
        key: "ssl_ktls", default: false,
        flags: ["--ssl-ktls"], section: tlsSection, reload: .nextWorkers,
        summary: "Ask OpenSSL for kernel TLS (`SSL_OP_ENABLE_KTLS`): after the handshake the kernel encrypts the records.",
        doc: "Takes effect only where the kernel has the `tls` ULP (listed in `/proc/sys/net/ipv4/tcp_available_ulp` once the `tls` module is loaded) and OpenSSL was built with kTLS, for the ciphers the kernel supports (AES-GCM, ChaCha20-Poly1305); anywhere else OpenSSL falls back silently to encrypting in the worker. The master logs at debug level whether both are there, at start and on `HUP`, and each worker whether the kernel took over a connection after its handshake.")

    static let tls: [SettingSpec] = [certfile.spec, keyfile.spec, caCerts.spec, certReqs.spec, sslMinVersion.spec, ciphers.spec, sslKtls.spec]
}
