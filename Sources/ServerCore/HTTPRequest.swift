/// One parsed HTTP request, handed to an `Application`.
/// Header names keep the client's spelling; look-ups are case-insensitive.
public struct HTTPRequest: Sendable {
    /// The method token as sent (`GET`, `POST`, ...). Methods are case-sensitive (RFC 9110 9.1).
    public var method: String
    /// The request target as sent (origin-form, or absolute-form from a proxy).
    public var target: String
    /// The path part of the target, still percent-encoded.
    public var path: String
    /// The query without `?` (empty when absent), raw.
    public var query: String
    /// 0 for HTTP/1.0, 1 for HTTP/1.1 and for any later HTTP/1.x, which is processed as
    /// HTTP/1.1 (RFC 9110 6.2).
    public var minorVersion: Int
    public var headers: HTTPHeaders
    /// The body with any transfer coding removed.
    public var body: [UInt8]
    /// The peer address (`127.0.0.1`), or "" for Unix sockets.
    public var remoteAddress: String

    public init(method: String, target: String, path: String, query: String, minorVersion: Int = 1,
                headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], remoteAddress: String = "") {
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.minorVersion = minorVersion
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
    }

    /// Convenience for tests and in-process callers: splits `target` into path and query.
    public init(method: String, target: String, headers: [(String, String)] = [], body: [UInt8] = []) {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        self.init(method: method, target: target, path: String(parts[0]),
                  query: parts.count > 1 ? String(parts[1]) : "",
                  headers: HTTPHeaders(headers), body: body)
    }

    /// The query parsed into name/value pairs (percent- and `+`-decoded).
    public var queryItems: [(name: String, value: String)] { URLEncoding.parseQuery(query) }

    /// The first value of query parameter `name`.
    public func queryValue(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }
}

/// An ordered list of header fields.
public struct HTTPHeaders: Sendable, Sequence {
    public var fields: [(name: String, value: String)]

    public init() { fields = [] }
    public init(_ fields: [(String, String)]) { self.fields = fields.map { (name: $0.0, value: $0.1) } }

    /// First value for `name`, compared case-insensitively.
    public subscript(name: String) -> String? {
        for f in fields where f.name.count == name.count && asciiCaseInsensitiveEquals(f.name, name) { return f.value }
        return nil
    }

    /// All values for `name`.
    public func values(_ name: String) -> [String] {
        fields.filter { asciiCaseInsensitiveEquals($0.name, name) }.map(\.value)
    }

    public mutating func add(_ name: String, _ value: String) { fields.append((name, value)) }

    /// Replaces every field called `name` with one.
    public mutating func set(_ name: String, _ value: String) {
        fields.removeAll { asciiCaseInsensitiveEquals($0.name, name) }
        fields.append((name, value))
    }

    public mutating func remove(_ name: String) {
        fields.removeAll { asciiCaseInsensitiveEquals($0.name, name) }
    }

    public var count: Int { fields.count }
    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }
}

/// ASCII case-insensitive comparison (header names are ASCII tokens).
@inline(__always)
public func asciiCaseInsensitiveEquals(_ a: String, _ b: String) -> Bool {
    var ia = a.utf8.makeIterator(), ib = b.utf8.makeIterator()
    while true {
        let ca = ia.next(), cb = ib.next()
        if ca == nil && cb == nil { return true }
        guard let x = ca, let y = cb else { return false }
        if x == y { continue }
        let lx = (x >= 65 && x <= 90) ? x | 0x20 : x
        let ly = (y >= 65 && y <= 90) ? y | 0x20 : y
        if lx != ly { return false }
    }
}
