import Posix
import ServerCore

/// Timestamps as the database stores them and as the API prints them.
///
/// Stored: RFC 3339 text in UTC with microseconds, `2024-01-01 00:01:00.123456+00:00`
/// (TIMESTAMPTZ in PostgreSQL, TEXT in SQLite). On SQLite the fixed width
/// keeps text order equal to time order, and the space separator keeps it
/// in order with, and readable by, SQLAlchemy's `2024-01-01 00:01:00.123456`
/// rows of a database the Flask stack created. Printed like Python's
/// `isoformat()`: `T` separator, the fraction only when it is not zero.
public enum DatabaseTimestamp {
    /// The current time, for `created_at`/`updated_at`.
    public static func now() -> String {
        let (sec, nsec) = Clock.realtime()
        return format(seconds: sec, microseconds: Int(nsec / 1000))
    }

    /// `seconds` since the epoch as stored text.
    public static func format(seconds: Int64, microseconds: Int) -> String {
        let c = Timestamp.civil(fromEpochSeconds: seconds)
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2)) \(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2)).\(pad(microseconds, 6))+00:00"
    }

    /// Any stored form (this type's, PostgreSQL's `2024-01-01 00:01:00.12+00`,
    /// SQLAlchemy's naive `2024-01-01 00:01:00.123456` on SQLite, taken as UTC)
    /// in the API's form: `2024-01-01T00:01:00+00:00` or `...00:01:00.123456+00:00`.
    /// Text it cannot read is returned unchanged.
    public static func apiFormat(_ stored: String) -> String {
        let u = Array(stored.utf8)
        guard u.count >= 19, u[10] == UInt8(ascii: " ") || u[10] == UInt8(ascii: "T") else { return stored }
        var out = Array(u[0..<10])
        out.append(UInt8(ascii: "T"))
        out.append(contentsOf: u[11..<19])
        var i = 19
        if i < u.count, u[i] == UInt8(ascii: ".") {
            i += 1
            var digits: [UInt8] = []
            while i < u.count, u[i] >= 48, u[i] <= 57 { digits.append(u[i]); i += 1 }
            if digits.count > 6 { digits = Array(digits[0..<6]) }
            while digits.count < 6 { digits.append(48) }
            if digits.contains(where: { $0 != 48 }) {
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: digits)
            }
        }
        let offset = u[i...]
        if offset.isEmpty || offset.first == UInt8(ascii: "Z") {
            out.append(contentsOf: "+00:00".utf8)
        } else if offset.count == 3 {
            out.append(contentsOf: offset)
            out.append(contentsOf: ":00".utf8)
        } else {
            out.append(contentsOf: offset)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
