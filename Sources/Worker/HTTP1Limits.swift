import ServerCore

/// Size limits applied while parsing a request; each one maps to a setting
/// (`limit_request_line`, `limit_request_fields`, `limit_request_field_size`,
/// `max_body_size`).
struct HTTPLimits: Sendable {
    /// Longest request line in bytes, CRLF excluded; longer gets 414.
    var requestLine = 8190
    /// Most header fields (and, separately, trailer fields); more gets 431.
    var fieldCount = 100
    /// Longest field line (name, colon and value) in bytes, CRLF excluded; longer gets 431.
    var fieldSize = 8190
    /// Largest body after removing the chunked coding; larger gets 413.
    var bodySize = 1_048_576
    /// Largest whole head (request line, fields and their CRLFs); larger gets 431.
    /// It bounds the memory one connection can hold before a request is complete,
    /// in the spirit of nginx's `large_client_header_buffers` (4 x 8 KiB).
    var headSize = 65_536
}

/// Why a request was rejected: the status to answer with before closing.
struct HTTPParseError: Error, Equatable, Sendable {
    /// 400, 413, 414, 417, 431, 501 or 505.
    let status: Int
    /// A short reason for the log and the response body.
    let message: String
}

/// A complete request and what its framing says about the connection.
struct ParsedRequest: Sendable {
    var request: HTTPRequest
    /// Whether the connection may carry another request after this one (RFC 9112 9.3).
    var keepAlive: Bool
    /// A HEAD request: the response gets headers only (RFC 9110 9.3.2).
    var isHead: Bool
}

/// What one call to `HTTP1Parser.parse` produced.
enum HTTP1ParseResult: Sendable {
    /// More bytes are needed.
    case needMore
    /// The head asked for `100-continue`: send the interim response, then feed the body.
    case expectContinue
    /// A complete request.
    case request(ParsedRequest)
    /// A bad request: answer `status` and close; the parser accepts nothing more.
    case failure(HTTPParseError)
}
