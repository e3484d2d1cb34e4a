/// What the fields that control message framing and connection handling said
/// (`Host`, `Content-Length`, `Transfer-Encoding`, `Connection`, `Expect`), collected
/// while the head is parsed and judged once it is complete.
struct HTTP1FramingFields {
    private var hostCount = 0
    private var hostStart = 0
    private var hostEnd = 0
    private var contentLength: Int?
    private var contentLengthOverflow = false
    private var transferEncodingSeen = false
    private var chunkedCount = 0
    private var chunkedIsLast = false
    private var unknownCoding = false
    private var close = false
    private var keepAliveToken = false
    private(set) var expectContinue = false
    private var expectOther = false

    /// Records `field` if it is one of the framing fields.
    mutating func note(_ field: HTTP1FieldLine, _ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) {
        let n = field.nameStart, count = field.nameCount
        switch count {
        case 4 where HTTP1Bytes.equalsLowercase(bytes, n, count, "host"):
            hostCount += 1
            hostStart = field.valueStart
            hostEnd = field.valueEnd
        case 6 where HTTP1Bytes.equalsLowercase(bytes, n, count, "expect"):
            if HTTP1Bytes.equalsLowercase(bytes, field.valueStart, field.valueEnd - field.valueStart, "100-continue") {
                expectContinue = true
            } else {
                expectOther = true
            }
        case 10 where HTTP1Bytes.equalsLowercase(bytes, n, count, "connection"):
            Self.forEachListElement(bytes, field) { s, e in
                if HTTP1Bytes.equalsLowercase(bytes, s, e - s, "close") { close = true }
                if HTTP1Bytes.equalsLowercase(bytes, s, e - s, "keep-alive") { keepAliveToken = true }
            }
        case 14 where HTTP1Bytes.equalsLowercase(bytes, n, count, "content-length"):
            try noteContentLength(field, bytes)
        case 17 where HTTP1Bytes.equalsLowercase(bytes, n, count, "transfer-encoding"):
            transferEncodingSeen = true
            Self.forEachListElement(bytes, field) { s, e in
                if HTTP1Bytes.equalsLowercase(bytes, s, e - s, "chunked") {
                    chunkedCount += 1
                    chunkedIsLast = true
                } else {
                    unknownCoding = true
                    chunkedIsLast = false
                }
            }
        default:
            break
        }
    }

    /// `Content-Length = 1*DIGIT` (RFC 9110 8.6). A list, even of equal values, is refused:
    /// rejecting is always allowed there and leaves nothing to interpret. Repeated fields
    /// must agree.
    private mutating func noteContentLength(_ field: HTTP1FieldLine, _ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) {
        guard field.valueEnd > field.valueStart else { throw bad("invalid Content-Length") }
        var value = 0
        var overflow = false
        for i in field.valueStart..<field.valueEnd {
            let c = bytes[i]
            guard HTTP1Bytes.isDigit(c) else { throw bad("invalid Content-Length") }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int(c &- 0x30))
            if o1 || o2 { overflow = true }
            value = sum
        }
        if overflow { throw bad("Content-Length overflows") }
        if let previous = contentLength, previous != value { throw bad("conflicting Content-Length fields") }
        contentLength = value
    }

    /// Decides how the body is framed, in the order of RFC 9112 6.3, and checks `Host`.
    func resolve(_ bytes: UnsafeRawBufferPointer, minorVersion: Int, limits: HTTPLimits) throws(HTTPParseError) -> HTTP1Head.Framing {
        // RFC 9112 3.2: a server MUST answer 400 to an HTTP/1.1 request without Host or with
        // more than one; a repeated Host is just as ambiguous in HTTP/1.0.
        if minorVersion == 1 && hostCount == 0 { throw bad("missing Host") }
        if hostCount > 1 { throw bad("repeated Host") }
        if hostCount == 1 && !HTTP1Target.isValidHost(bytes, hostStart, hostEnd) { throw bad("invalid Host") }

        var framing = HTTP1Head.Framing.none
        if transferEncodingSeen {
            // An HTTP/1.0 request with Transfer-Encoding, or one with both Transfer-Encoding and
            // Content-Length, is the classic smuggling shape (RFC 9112 6.1, 6.3).
            if minorVersion == 0 { throw bad("Transfer-Encoding in an HTTP/1.0 request") }
            if contentLength != nil { throw bad("both Content-Length and Transfer-Encoding") }
            if unknownCoding { throw HTTPParseError(status: 501, message: "transfer coding not implemented") }
            // chunked exactly once and last, or the length cannot be determined (RFC 9112 6.3).
            if chunkedCount != 1 || !chunkedIsLast { throw bad("invalid Transfer-Encoding") }
            framing = .chunked
        } else if let length = contentLength {
            if length > limits.bodySize { throw HTTPParseError(status: 413, message: "body too large") }
            framing = length > 0 ? .length(length) : .none
        }
        // Only 100-continue is defined; HTTP/1.0 expectations are ignored (RFC 9110 10.1.1).
        if minorVersion == 1 && expectOther { throw HTTPParseError(status: 417, message: "unsupported expectation") }
        return framing
    }

    /// RFC 9112 9.3: HTTP/1.1 persists unless `close`; HTTP/1.0 only with `keep-alive`.
    func keepAlive(minorVersion: Int) -> Bool {
        if close { return false }
        return minorVersion == 1 || keepAliveToken
    }

    /// Calls `body` with the bounds of each non-empty element of a comma-separated list,
    /// whitespace trimmed (RFC 9110 5.6.1: empty elements are ignored).
    private static func forEachListElement(_ bytes: UnsafeRawBufferPointer, _ field: HTTP1FieldLine,
                                    _ body: (Int, Int) -> Void) {
        var i = field.valueStart
        let end = field.valueEnd
        while i < end {
            while i < end && (bytes[i] == HTTP1Bytes.sp || bytes[i] == HTTP1Bytes.htab || bytes[i] == HTTP1Bytes.comma) { i += 1 }
            let s = i
            while i < end && bytes[i] != HTTP1Bytes.comma { i += 1 }
            var e = i
            while e > s && (bytes[e - 1] == HTTP1Bytes.sp || bytes[e - 1] == HTTP1Bytes.htab) { e -= 1 }
            if e > s { body(s, e) }
        }
    }

    private func bad(_ message: String) -> HTTPParseError { HTTPParseError(status: 400, message: message) }
}
