import Paddock
import PaddockSQL

/// A request body that must be a JSON object, with typed field access that
/// fails with a 400 naming the field. Unknown fields are ignored.
struct JSONBody {
    let fields: [String: JSONValue]

    init(_ body: [UInt8]) throws(APIError) {
        let value: JSONValue
        do {
            value = try JSONValue.parse(body)
        } catch {
            throw .badRequest(body.isEmpty ? "Request body must be JSON" : "Malformed JSON: \(error.message) at byte \(error.offset)")
        }
        guard case .object(let fields) = value else { throw .badRequest("Request body must be a JSON object") }
        self.fields = fields
    }

    /// The string value of `name`; nil when absent. Present but not a string
    /// (null included) is a 400.
    func string(_ name: String) throws(APIError) -> String? {
        guard let v = fields[name] else { return nil }
        guard case .string(let s) = v else { throw .badRequest("'\(name)' must be a string") }
        // PostgreSQL text cannot hold NUL; refuse it the same way on SQLite.
        guard !s.unicodeScalars.contains("\u{0}") else { throw .badRequest("'\(name)' must not contain NUL characters") }
        return s
    }

    /// The string value of `name`, which must be present.
    func requiredString(_ name: String) throws(APIError) -> String {
        guard let s = try string(name) else { throw .badRequest("'\(name)' is required") }
        return s
    }
}
