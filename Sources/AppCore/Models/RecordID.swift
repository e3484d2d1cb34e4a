import Paddock
import PaddockSQL

/// The ids of users and posts.
///
/// PostgreSQL's `SERIAL` is a 32-bit `integer`, and comparing it with a
/// larger number fails the whole query there, so an id outside
/// 1...2^31-1 is answered as "no such row" before any query, on either
/// database: a 404 for a path, a 401 for a token.
enum RecordID {
    static let valid = 1...Int(Int32.max)

    /// Whether `id` can name a row.
    static func isValid(_ id: Int) -> Bool { valid.contains(id) }

    /// The id a token's `sub` names: canonical decimal only (`"7"`; not
    /// `"07"`, `"+7"`, `" 7"` or `"7.0"`), as flask-jwt-extended writes it
    /// with `str(user.id)`, so one account has exactly one subject text.
    static func parse(_ text: String) -> Int? {
        let digits = text.utf8
        guard let first = digits.first, first >= UInt8(ascii: "1"), first <= UInt8(ascii: "9"), digits.count <= 10,
              digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let id = Int(text), isValid(id) else { return nil }
        return id
    }
}
