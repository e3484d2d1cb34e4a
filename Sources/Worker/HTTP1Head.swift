import ServerCore

/// A parsed request head: the request without its body, and the framing that says how
/// the body is delimited (RFC 9112 6.3).
struct HTTP1Head {
    enum Framing: Equatable {
        case none
        case length(Int)
        case chunked
    }

    var request: HTTPRequest
    var framing: Framing
    var keepAlive: Bool
    var isHead: Bool
    /// `Expect: 100-continue` on an HTTP/1.1 request.
    var expectContinue: Bool

    /// Parses a complete head: `bytes[start..<end]` runs from the request line through the
    /// empty line. Line ends and the size limits were already checked by `HTTP1HeadScanner`.
    static func parse(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int, fieldLines: Int,
                      limits: HTTPLimits) throws(HTTPParseError) -> HTTP1Head {
        guard let lineEnd = HTTP1Bytes.firstLF(bytes, from: start) else { throw bad("incomplete head") }
        let line = try HTTP1RequestLine.parse(bytes, start, lineEnd - 1)
        var fields: [(name: String, value: String)] = []
        fields.reserveCapacity(fieldLines)
        var framing = HTTP1FramingFields()

        var lineStart = lineEnd + 1
        while lineStart < end - 2 {
            guard let lf = HTTP1Bytes.firstLF(bytes, from: lineStart) else { throw bad("incomplete head") }
            let field = try HTTP1FieldLine.parse(bytes, lineStart, lf - 1)
            try framing.note(field, bytes)
            fields.append((name: HTTP1Bytes.string(bytes, field.nameStart, field.nameEnd),
                           value: HTTP1Bytes.string(bytes, field.valueStart, field.valueEnd)))
            lineStart = lf + 1
        }

        let bodyFraming = try framing.resolve(bytes, minorVersion: line.minorVersion, limits: limits)
        var headers = HTTPHeaders()
        headers.fields = fields
        let request = HTTPRequest(method: line.method, target: line.target, path: line.path, query: line.query,
                                  minorVersion: line.minorVersion, headers: headers)
        return HTTP1Head(request: request, framing: bodyFraming,
                         keepAlive: framing.keepAlive(minorVersion: line.minorVersion),
                         isHead: line.isHead,
                         expectContinue: line.minorVersion == 1 && framing.expectContinue)
    }

    private static func bad(_ message: String) -> HTTPParseError { HTTPParseError(status: 400, message: message) }
}
