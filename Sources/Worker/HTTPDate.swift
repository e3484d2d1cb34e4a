import Posix
import ServerCore

/// The `Date` header value (RFC 9110 5.6.7 IMF-fixdate), rebuilt at most
/// once a second instead of once per response.
struct HTTPDate {
    private var second: Int64 = -1
    private(set) var headerLine: [UInt8] = []

    /// Returns `Date: ...\r\n` for the current second.
    mutating func current() -> [UInt8] {
        let now = Clock.realtime().seconds
        if now != second {
            second = now
            headerLine = Array("Date: \(HTTPDate.format(now))\r\n".utf8)
        }
        return headerLine
    }

    static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func format(_ epochSeconds: Int64) -> String {
        let c = Timestamp.civil(fromEpochSeconds: epochSeconds)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(days[c.weekday]), \(two(c.day)) \(months[c.month - 1]) \(c.year) \(two(c.hour)):\(two(c.minute)):\(two(c.second)) GMT"
    }
}
