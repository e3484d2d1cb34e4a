import ServerCore

extension HTTPRequest {
    /// Query parameter `name` as an integer; nil when absent or not one.
    public func queryInt(_ name: String) -> Int? {
        queryValue(name).flatMap { Int($0) }
    }

    /// The body parsed as JSON (any value; `JSONParseError` when it is not JSON).
    public func jsonBody() throws(JSONParseError) -> JSONValue {
        try JSONValue.parse(body)
    }

    /// The body decoded as `type` (see `JSONCoding.decode`).
    public func decodeBody<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONCoding.decode(type, from: body)
    }
}

extension HTTPResponse {
    /// A JSON response encoding `value` with the built-in writer (see `JSONCoding.encode`).
    public static func json<T: Encodable>(_ status: Int, encoding value: T, headers: [(String, String)] = []) throws -> HTTPResponse {
        var h = HTTPHeaders([("Content-Type", "application/json")])
        for (n, v) in headers { h.add(n, v) }
        return HTTPResponse(status: status, headers: h, body: try JSONCoding.encode(value))
    }

    /// A JSON response written directly with `JSONWriter`: the fast path,
    /// with no intermediate values.
    public static func json(_ status: Int, headers: [(String, String)] = [], _ write: (inout JSONWriter) -> Void) -> HTTPResponse {
        var w = JSONWriter(capacity: 256)
        write(&w)
        var h = HTTPHeaders([("Content-Type", "application/json")])
        for (n, v) in headers { h.add(n, v) }
        return HTTPResponse(status: status, headers: h, body: w.bytes)
    }
}
