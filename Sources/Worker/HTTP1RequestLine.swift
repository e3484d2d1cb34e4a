/// `method SP request-target SP HTTP-version` (RFC 9112 3), split into the strings
/// an `HTTPRequest` carries.
struct HTTP1RequestLine {
    var method: String
    var target: String
    var path: String
    var query: String
    var minorVersion: Int
    var isHead: Bool

    /// Parses the request line `bytes[start..<end]` (CRLF already removed).
    static func parse(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) throws(HTTPParseError) -> HTTP1RequestLine {
        var i = start
        while i < end && HTTP1Bytes.isTchar(bytes[i]) { i += 1 }
        // Exactly one SP between the parts: lenient whitespace parsing is a smuggling vector.
        guard i > start, i < end, bytes[i] == HTTP1Bytes.sp else { throw bad("invalid method") }
        let methodEnd = i
        i += 1
        let targetStart = i
        while i < end && bytes[i] != HTTP1Bytes.sp { i += 1 }
        let targetEnd = i
        guard targetEnd > targetStart, targetEnd < end else { throw bad("invalid request line") }
        let minor = try version(bytes, targetEnd + 1, end)

        let methodCount = methodEnd - start
        // CONNECT turns the connection into a tunnel, which this server does not offer.
        if HTTP1Bytes.equalsCase(bytes, start, methodCount, "CONNECT") {
            throw HTTPParseError(status: 501, message: "CONNECT not implemented")
        }
        let isHead = HTTP1Bytes.equalsCase(bytes, start, methodCount, "HEAD")
        let isOptions = HTTP1Bytes.equalsCase(bytes, start, methodCount, "OPTIONS")
        let (pathStart, queryStart) = try HTTP1Target.split(bytes, targetStart, targetEnd, isOptions: isOptions)

        let pathEnd = queryStart.map { $0 - 1 } ?? targetEnd
        let method = HTTP1Bytes.string(bytes, start, methodEnd)
        let target = HTTP1Bytes.string(bytes, targetStart, targetEnd)
        // An absolute-form target with an empty path means "/" (RFC 9112 3.2.2, RFC 3986 6.2.3).
        let path = pathStart == pathEnd ? "/" : HTTP1Bytes.string(bytes, pathStart, pathEnd)
        let query = queryStart.map { HTTP1Bytes.string(bytes, $0, targetEnd) } ?? ""
        return HTTP1RequestLine(method: method, target: target, path: path, query: query,
                                minorVersion: minor, isHead: isHead)
    }

    /// The minor version the request is processed as: 0 for `HTTP/1.0`, 1 for `HTTP/1.1`
    /// and for any higher `HTTP/1.x`, which RFC 9110 6.2 says to treat as the highest minor
    /// version the server supports. Another major version is 505; anything else is 400
    /// (RFC 9112 2.3: the version is case-sensitive, one digit each side of the dot).
    private static func version(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) throws(HTTPParseError) -> Int {
        guard end - start == 8,
              HTTP1Bytes.equalsCase(bytes, start, 5, "HTTP/"),
              HTTP1Bytes.isDigit(bytes[start + 5]), bytes[start + 6] == 0x2E, HTTP1Bytes.isDigit(bytes[start + 7])
        else { throw bad("invalid HTTP version") }
        let major = bytes[start + 5] &- 0x30, minor = bytes[start + 7] &- 0x30
        guard major == 1 else {
            throw HTTPParseError(status: 505, message: "HTTP version not supported")
        }
        return min(Int(minor), 1)
    }

    private static func bad(_ message: String) -> HTTPParseError { HTTPParseError(status: 400, message: message) }
}
