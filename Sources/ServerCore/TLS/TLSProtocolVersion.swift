/// `ssl_min_version`: the oldest TLS version a worker accepts.
public enum TLSProtocolVersion: String, Sendable, CaseIterable, SettingChoice {
    case tls12 = "TLSv1.2"
    case tls13 = "TLSv1.3"
}
