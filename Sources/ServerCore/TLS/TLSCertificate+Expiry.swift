extension TLSCertificate {
    /// A renewal that stopped working (a certbot timer failing quietly) is
    /// found this long before clients start refusing the certificate.
    public static let expiryWarningSeconds: Int64 = 14 * 86_400

    /// `notAfter` as `2026-12-03 20:50:00 UTC`.
    public var notAfterText: String {
        let c = Timestamp.civil(fromEpochSeconds: notAfter)
        return "\(Timestamp.pad4(c.year))-\(Timestamp.pad2(c.month))-\(Timestamp.pad2(c.day)) "
            + "\(Timestamp.pad2(c.hour)):\(Timestamp.pad2(c.minute)):\(Timestamp.pad2(c.second)) UTC"
    }

    /// A warning when, at `now` (seconds since the epoch), the certificate
    /// has expired or expires within `expiryWarningSeconds`; nil otherwise.
    /// `file` names where it was read (`certfile /etc/paddock/cert.pem`).
    public func expiryWarning(file: String, now: Int64) -> String? {
        let left = notAfter - now
        if left <= 0 {
            return "\(file): certificate \(subject) expired on \(notAfterText); clients refuse it: renew it and send HUP"
        }
        guard left <= Self.expiryWarningSeconds else { return nil }
        let days = left / 86_400
        let when = days == 0 ? "in less than a day" : days == 1 ? "in 1 day" : "in \(days) days"
        return "\(file): certificate \(subject) expires \(when) (\(notAfterText)); renew it and send HUP"
    }
}
