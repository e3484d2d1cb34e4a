extension DatabaseTimestamp {
    /// Microseconds since the epoch of any stored form `apiFormat` reads
    /// (this type's, PostgreSQL's `...+00`, SQLAlchemy's naive text taken as
    /// UTC); nil for text it cannot read. Digits past the microsecond are
    /// dropped, as PostgreSQL and Python keep none.
    public static func microseconds(_ stored: String) -> Int? {
        let u = Array(stored.utf8)
        guard u.count >= 19, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-"),
              u[10] == UInt8(ascii: " ") || u[10] == UInt8(ascii: "T"), u[13] == UInt8(ascii: ":"), u[16] == UInt8(ascii: ":"),
              let year = number(u, 0, 4), let month = number(u, 5, 2), let day = number(u, 8, 2),
              let hour = number(u, 11, 2), let minute = number(u, 14, 2), let second = number(u, 17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60 else { return nil }
        var i = 19
        var fraction = 0, scale = 100_000
        if i < u.count, u[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < u.count, let digit = digitValue(u[i]) {
                fraction += digit * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        var offsetSeconds = 0
        if i < u.count {
            switch u[i] {
            case UInt8(ascii: "Z"):
                guard i + 1 == u.count else { return nil }
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                let rest = u.count - i - 1
                guard let hh = number(u, i + 1, 2) else { return nil }
                var mm = 0
                if rest == 5, u[i + 3] == UInt8(ascii: ":"), let m = number(u, i + 4, 2) { mm = m }
                else if rest == 4, let m = number(u, i + 3, 2) { mm = m }
                else if rest != 2 { return nil }
                offsetSeconds = (hh * 3600 + mm * 60) * (u[i] == UInt8(ascii: "+") ? 1 : -1)
            default:
                return nil
            }
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return seconds * 1_000_000 + fraction
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func digitValue(_ c: UInt8) -> Int? {
        c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") ? Int(c - UInt8(ascii: "0")) : nil
    }

    /// `width` decimal digits at `start`, or nil.
    private static func number(_ u: [UInt8], _ start: Int, _ width: Int) -> Int? {
        guard start + width <= u.count else { return nil }
        var v = 0
        for c in u[start..<(start + width)] {
            guard let d = digitValue(c) else { return nil }
            v = v * 10 + d
        }
        return v
    }
}
