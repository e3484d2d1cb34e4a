import ServerCore

/// Serializes responses into a connection's output buffer: status line, the
/// application's headers, then `Content-Length`, `Date` and `Connection`,
/// which only the server sets.
enum ResponseWriter {
    static let statusLines: [Int: [UInt8]] = {
        var m: [Int: [UInt8]] = [:]
        for code in [100, 200, 201, 202, 204, 301, 302, 304, 400, 401, 403, 404, 405, 408, 409, 411, 413, 414, 415, 417,
                     422, 429, 431, 500, 501, 502, 503, 504, 505] {
            m[code] = Array("HTTP/1.1 \(code) \(HTTPResponse.reason(code))\r\n".utf8)
        }
        return m
    }()

    static let crlf: [UInt8] = [13, 10]
    static let connectionClose = Array("Connection: close\r\n".utf8)
    static let connectionKeepAlive = Array("Connection: keep-alive\r\n".utf8)
    static let contentLengthPrefix = Array("Content-Length: ".utf8)

    /// Appends `response` to `out`.
    /// - Parameters:
    ///   - headOnly: a HEAD request: headers as for GET, no body.
    ///   - close: the connection closes after this response.
    ///   - http10KeepAlive: an HTTP/1.0 client asked for keep-alive and gets it.
    static func write(_ response: HTTPResponse, into out: inout [UInt8], date: [UInt8], headOnly: Bool, close: Bool, http10KeepAlive: Bool) {
        if let line = statusLines[response.status] {
            out.append(contentsOf: line)
        } else {
            out.append(contentsOf: "HTTP/1.1 \(response.status) \(HTTPResponse.reason(response.status))\r\n".utf8)
        }
        for field in response.headers.fields {
            // Framing and connection management belong to the server.
            if asciiCaseInsensitiveEquals(field.name, "Content-Length") || asciiCaseInsensitiveEquals(field.name, "Connection")
                || asciiCaseInsensitiveEquals(field.name, "Transfer-Encoding") || asciiCaseInsensitiveEquals(field.name, "Date") { continue }
            out.append(contentsOf: field.name.utf8)
            out.append(58); out.append(32)
            // A CR or LF in a value would split the response: drop them.
            for b in field.value.utf8 where b != 13 && b != 10 { out.append(b) }
            out.append(contentsOf: crlf)
        }
        // 1xx, 204 and 304 never carry Content-Length or a body (RFC 9110 8.6).
        let bodyless = response.status < 200 || response.status == 204 || response.status == 304
        if !bodyless {
            out.append(contentsOf: contentLengthPrefix)
            appendDecimal(response.body.count, to: &out)
            out.append(contentsOf: crlf)
        }
        out.append(contentsOf: date)
        if close { out.append(contentsOf: connectionClose) } else if http10KeepAlive { out.append(contentsOf: connectionKeepAlive) }
        out.append(contentsOf: crlf)
        if !headOnly && !bodyless { out.append(contentsOf: response.body) }
    }

    @inline(__always)
    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value == 0 { out.append(48); return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var v = value, n = 0
        withUnsafeMutableBytes(of: &digits) { d in
            while v > 0 { d[n] = UInt8(48 + v % 10); v /= 10; n += 1 }
            while n > 0 { n -= 1; out.append(d[n]) }
        }
    }

    /// A short JSON error body for parse failures and server-side errors.
    static func errorResponse(status: Int, message: String) -> HTTPResponse {
        var w = JSONWriter(capacity: 96)
        w.beginObject()
        w.field("error", errorCode(status))
        w.field("message", message)
        w.endObject()
        return HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "application/json")]), body: w.bytes)
    }

    static func errorCode(_ status: Int) -> String {
        switch status {
        case 400: return "bad_request"
        case 404: return "not_found"
        case 408: return "request_timeout"
        case 413: return "payload_too_large"
        case 414: return "uri_too_long"
        case 417: return "expectation_failed"
        case 431: return "request_header_fields_too_large"
        case 501: return "not_implemented"
        case 503: return "service_unavailable"
        case 505: return "http_version_not_supported"
        default: return status >= 500 ? "internal_error" : "bad_request"
        }
    }
}
