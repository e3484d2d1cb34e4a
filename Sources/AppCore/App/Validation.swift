import Paddock
import PaddockSQL

/// Field rules. Lengths count Unicode code points, as PostgreSQL's
/// VARCHAR(n) does, so a value that passes here always fits its column.
enum Validation {
    static let maxEmailLength = 255
    static let maxNameLength = 100
    static let minPasswordLength = 8
    /// Bytes of UTF-8. Every login hashes what it is sent, so without a cap
    /// one request could make a worker hash megabytes; Werkzeug has none,
    /// but no real password comes near it.
    static let maxPasswordBytes = 1024
    static let maxTitleLength = 200

    /// Trimmed and lower-cased, so `Ann@Example.com ` and `ann@example.com` are one account.
    static func email(_ raw: String) throws(APIError) -> String {
        let email = trimmed(raw).lowercased()
        guard isValidEmail(email) else { throw .badRequest("'email' is not a valid e-mail address") }
        return email
    }

    /// `local@domain.tld`: one `@`, no spaces or control characters, a dotted domain without empty labels.
    static func isValidEmail(_ email: String) -> Bool {
        let scalars = email.unicodeScalars
        guard scalars.count <= maxEmailLength,
              !scalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }) else { return false }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].unicodeScalars.count <= 64 else { return false }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && !$0.hasPrefix("-") && !$0.hasSuffix("-") }) else { return false }
        return true
    }

    static func name(_ raw: String) throws(APIError) -> String { try boundedText("name", raw, max: maxNameLength) }

    /// A new password: at least `minPasswordLength` characters, at most `maxPasswordBytes` bytes.
    static func password(_ password: String) throws(APIError) -> String {
        let password = try cappedPassword(password)
        guard password.count >= minPasswordLength else {
            throw .badRequest("'password' must be at least \(minPasswordLength) characters")
        }
        return password
    }

    /// A password to check (login): only the size cap, so accounts made
    /// under other rules still log in.
    static func cappedPassword(_ password: String) throws(APIError) -> String {
        guard password.utf8.count <= maxPasswordBytes else {
            throw .badRequest("'password' must be at most \(maxPasswordBytes) bytes")
        }
        return password
    }

    static func title(_ raw: String) throws(APIError) -> String { try boundedText("title", raw, max: maxTitleLength) }

    /// Trimmed, non-empty, at most `max` characters (code points, as the database's VARCHAR counts).
    private static func boundedText(_ field: String, _ raw: String, max: Int) throws(APIError) -> String {
        let text = trimmed(raw)
        guard !text.isEmpty else { throw .badRequest("'\(field)' must not be empty") }
        guard text.unicodeScalars.count <= max else { throw .badRequest("'\(field)' must be at most \(max) characters") }
        return text
    }

    /// Content is stored as sent (its whitespace may matter) but must have some text.
    static func content(_ raw: String) throws(APIError) -> String {
        guard !trimmed(raw).isEmpty else { throw .badRequest("'content' must not be empty") }
        return raw
    }

    static func trimmed(_ s: String) -> String {
        var sub = Substring(s)
        while let f = sub.first, f.isWhitespace { sub = sub.dropFirst() }
        while let l = sub.last, l.isWhitespace { sub = sub.dropLast() }
        return String(sub)
    }
}
