/// `cert_reqs`: whether a TLS client is asked for a certificate, and
/// whether one is required (gunicorn's CERT_NONE, CERT_OPTIONAL, CERT_REQUIRED).
public enum ClientCertificatePolicy: String, Sendable, CaseIterable, SettingChoice {
    case none
    case optional
    case required
}
