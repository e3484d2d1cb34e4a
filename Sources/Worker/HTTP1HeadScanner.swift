/// Finds the end of a request head (the empty line) in the unconsumed bytes, enforcing
/// the line, count and size limits on partial data so a client cannot grow a head forever.
///
/// It remembers how far it got: the caller shows the same unconsumed bytes again plus
/// whatever arrived, so a head that trickles in byte by byte is scanned once, not once
/// per read.
struct HTTP1HeadScanner {
    /// RFC 9112 2.2 lets a server skip "at least one" empty line before the request line
    /// (clients used to send a CRLF after a POST body); more than a few is not a client.
    static let maxLeadingEmptyLines = 8

    /// Offset of the first byte not yet part of a complete line.
    private var offset = 0
    private var leadingEmptyLines = 0
    /// Offset of the request line, once it is complete.
    private var requestLineStart: Int?
    private var fieldLines = 0

    enum Outcome {
        case incomplete
        /// The request line starts at `start`; the head (with its final CRLF) ends at `end`.
        case complete(start: Int, end: Int, fieldLines: Int)
    }

    mutating func scan(_ received: UnsafeRawBufferPointer, limits: HTTPLimits) throws(HTTPParseError) -> Outcome {
        // Nothing past the first byte over the head limit is looked at: a read that brings
        // more than that at once must get the verdict a byte-by-byte client would get, and
        // that client is stopped at this byte.
        let bytes = received.count > limits.headSize
            ? UnsafeRawBufferPointer(rebasing: received[..<(limits.headSize + 1)])
            : received
        while true {
            guard let lf = HTTP1Bytes.firstLF(bytes, from: offset) else {
                try checkPartialLine(bytes, limits: limits)
                return .incomplete
            }
            let endsInCR = lf > offset && bytes[lf - 1] == HTTP1Bytes.cr
            let length = lf - offset - (endsInCR ? 1 : 0)
            // The limits first, measured as checkPartialLine measured this line while its LF
            // was still to come, so the answer does not depend on how the bytes were split.
            try checkLineLength(length, limits: limits)
            try checkHeadSize(lf, limits: limits)
            // Every line ends with CRLF; a bare LF is rejected rather than tolerated,
            // because parsers that disagree on line ends can be used for smuggling (RFC 9112 2.2).
            guard endsInCR else {
                throw HTTPParseError(status: 400, message: "bare LF in request head")
            }
            if let start = requestLineStart {
                if length == 0 {
                    try checkHeadSize(lf + 1, limits: limits)
                    return .complete(start: start, end: lf + 1, fieldLines: fieldLines)
                }
                fieldLines += 1
                if fieldLines > limits.fieldCount {
                    throw HTTPParseError(status: 431, message: "too many header fields")
                }
            } else if length == 0 {
                leadingEmptyLines += 1
                if leadingEmptyLines > Self.maxLeadingEmptyLines {
                    throw HTTPParseError(status: 400, message: "too many empty lines before the request line")
                }
            } else {
                requestLineStart = offset
            }
            try checkHeadSize(lf + 1, limits: limits)
            offset = lf + 1
        }
    }

    /// Applies the limit of the line being received before its LF arrives. A trailing CR
    /// may still be the start of the CRLF, so it does not count against the limit.
    private func checkPartialLine(_ bytes: UnsafeRawBufferPointer, limits: HTTPLimits) throws(HTTPParseError) {
        var length = bytes.count - offset
        if length > 0 && bytes[bytes.count - 1] == HTTP1Bytes.cr { length -= 1 }
        try checkLineLength(length, limits: limits)
        // After the line limits, so a long line gets the same answer however it was split.
        try checkHeadSize(bytes.count, limits: limits)
    }

    /// The request line's limit until it is complete, then the field lines'. `length`
    /// excludes the line end.
    private func checkLineLength(_ length: Int, limits: HTTPLimits) throws(HTTPParseError) {
        if requestLineStart == nil {
            if length > limits.requestLine { throw HTTPParseError(status: 414, message: "request line too long") }
        } else if length > limits.fieldSize {
            throw HTTPParseError(status: 431, message: "header field too large")
        }
    }

    private func checkHeadSize(_ size: Int, limits: HTTPLimits) throws(HTTPParseError) {
        if size > limits.headSize { throw HTTPParseError(status: 431, message: "request head too large") }
    }
}
