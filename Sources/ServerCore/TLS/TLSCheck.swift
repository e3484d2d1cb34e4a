import Posix

/// What the master does with the TLS settings wherever it reads the
/// configuration (at start, for `--check-config`, on `HUP`): find the files,
/// load them as a worker will, and read their certificates. Workers load the
/// files again before dropping privileges; a configuration that passes here
/// starts them.
public enum TLSCheck {
    /// The path settings that are files the master and workers read.
    static let fileSettings = [Settings.certfile, Settings.keyfile, Settings.caCerts]

    /// Resolves a relative `certfile`, `keyfile` or `ca_certs` under
    /// `$CREDENTIALS_DIRECTORY` when systemd sets it (`LoadCredential=`), as
    /// `jwt_secret_key_file` is, so workers receive absolute paths. The
    /// source of each value is kept: messages still name where it was set.
    public static func resolvePaths(in config: inout Configuration, environment: [String: String]) {
        for setting in fileSettings {
            let path = config[setting]
            guard !path.isEmpty else { continue }
            let resolved = JWTSecretFile.resolve(path, environment: environment)
            if resolved != path { config.set(setting, resolved, from: config.source(of: setting.key)) }
        }
    }

    /// Loads the files as a worker will and returns `certfile`'s
    /// certificates (empty without TLS). A file that is missing, unreadable
    /// or not PEM, a key that does not match, ciphers OpenSSL refuses: an
    /// error naming the source, the key, the file and OpenSSL's reason.
    public static func run(_ config: Configuration) throws(ConfigError) -> [TLSCertificate] {
        guard let tls = try TLSConfiguration(config) else { return [] }
        // OpenSSL reports a missing or unreadable file without the errno's
        // words; opening it first gives the reason an operator can act on.
        for setting in fileSettings where !config[setting].isEmpty {
            do { _ = try Files.read(config[setting]) } catch {
                throw ConfigError("\(config.source(of: setting.key)): \(setting.key) \(config[setting]): cannot read: \(error)")
            }
        }
        do throws(TLSError) { try TLSServerContext.validate(tls) } catch {
            let setting = key(named: error, default: Settings.certfile.key)
            // The half-finished renewal: say which certificate the key was checked against.
            let mismatch = setting == Settings.keyfile.key && error.description.hasSuffix("key values mismatch")
            throw ConfigError("\(config.source(of: setting)): \(error)\(mismatch ? " (not the key of certfile \(tls.certfile))" : "")")
        }
        do throws(TLSError) { return try TLSCertificate.load(tls.certfile) } catch {
            throw ConfigError("\(config.source(of: Settings.certfile.key)): certfile \(error)")
        }
    }

    /// What the master does at start, for `--check-config` and on `HUP`, in
    /// one step so the three cannot drift apart: `resolvePaths`, then `run`;
    /// returns `certfile`'s certificates and their expiry warnings at `now`
    /// (seconds since the epoch).
    public static func prepare(_ config: inout Configuration, environment: [String: String],
                               now: Int64) throws(ConfigError) -> (certificates: [TLSCertificate], warnings: [String]) {
        resolvePaths(in: &config, environment: environment)
        let certificates = try run(config)
        return (certificates, expiryWarnings(certificates, certfile: config[Settings.certfile], now: now))
    }

    /// The setting a `TLSServerContext` error is about: its messages start
    /// with the key (`keyfile /etc/... does not match ...`).
    static func key(named error: TLSError, default fallback: String) -> String {
        let first = error.description.prefix { $0 != " " }
        let keys = fileSettings.map(\.key) + [Settings.ciphers.key, Settings.sslMinVersion.key]
        return keys.first { $0 == first } ?? fallback
    }

    /// A warning for each certificate of `certfile` that has expired or
    /// expires within 14 days at `now` (seconds since the epoch).
    public static func expiryWarnings(_ certificates: [TLSCertificate], certfile: String, now: Int64) -> [String] {
        certificates.compactMap { $0.expiryWarning(file: "certfile \(certfile)", now: now) }
    }

    /// One line per certificate for `--check-config`, like `nginx -t` is trusted for.
    public static func describe(_ certificates: [TLSCertificate], certfile: String) -> [String] {
        certificates.map { "certfile \(certfile): \($0.subject), valid until \($0.notAfterText)" }
    }
}
