/// A parsed JSON document (RFC 8259). Numbers are `Double`, as in JavaScript;
/// duplicate object keys keep the last value, as Python's `json` does.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses a complete JSON text: one value, optional whitespace around it,
    /// nothing after it. See `JSONParser` for the limits applied.
    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes)
        return try parser.parseDocument()
    }

    /// The member named `key` if this is an object, else `nil`.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The text if this is a string, else `nil`.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// Whether this is JSON `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

/// Why a JSON text was rejected, and the byte offset where it went wrong.
public struct JSONParseError: Error, Equatable, Sendable {
    /// A short description, e.g. "leading zeros are not allowed".
    public let message: String
    /// Offset in the input, in bytes, of the offending character.
    public let offset: Int

    /// Creates an error; used by the parser and by tests.
    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }
}
