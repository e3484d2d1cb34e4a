extension Timestamp {
    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `[10/Oct/2000:13:55:36 +0000]`, the Common Log Format time (always UTC,
    /// so workers need no time zone database and all lines compare directly).
    public static func commonLog(epochSeconds: Int64) -> String {
        let c = civil(fromEpochSeconds: epochSeconds)
        return "[\(pad2(c.day))/\(monthNames[c.month - 1])/\(pad4(c.year)):\(pad2(c.hour)):\(pad2(c.minute)):\(pad2(c.second)) +0000]"
    }

    /// `2026-01-02T03:04:05.678Z` for a given instant, so one record can show
    /// the same instant in two formats.
    public static func iso8601UTC(epochSeconds: Int64, nanoseconds: Int64) -> String {
        let c = civil(fromEpochSeconds: epochSeconds)
        return "\(pad4(c.year))-\(pad2(c.month))-\(pad2(c.day))T\(pad2(c.hour)):\(pad2(c.minute)):\(pad2(c.second)).\(pad3(Int(nanoseconds / 1_000_000)))Z"
    }
}
