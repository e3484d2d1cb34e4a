/// Removes the chunked transfer coding (RFC 9112 7.1) from bytes as they arrive.
///
/// chunked-body = *chunk last-chunk trailer-section CRLF, with
/// chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF. Extensions are checked for
/// control bytes, bounded and ignored; trailer fields are checked like header fields,
/// bounded and discarded.
struct HTTP1ChunkedDecoder {
    /// Longest chunk-size line (size digits and extensions). RFC 9112 7.1.1 leaves it to
    /// the server; without a bound a client could stream extensions forever.
    static let maxChunkLine = 4096

    private enum Phase {
        case size, extensions, sizeLF, data, dataCR, dataLF, trailer, trailerLF
    }

    private var phase = Phase.size
    private var lineLength = 0
    private var digits = 0
    private var size = 0
    private var sawSemicolon = false
    private var remaining = 0
    private var trailerLine: [UInt8] = []
    private var trailerCount = 0

    /// Decodes from `bytes`, appending chunk data to `body`. Returns how many bytes were
    /// used and whether the chunked body (with its trailer section) is complete; bytes
    /// after the end are left for the next request.
    mutating func decode(_ bytes: UnsafeRawBufferPointer, into body: inout [UInt8],
                         limits: HTTPLimits) throws(HTTPParseError) -> (consumed: Int, done: Bool) {
        var i = 0
        let count = bytes.count
        while i < count {
            if phase == .data {
                let n = min(remaining, count - i)
                body.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[i..<i + n]))
                i += n
                remaining -= n
                if remaining == 0 { phase = .dataCR }
                continue
            }
            let c = bytes[i]
            i += 1
            switch phase {
            case .size:
                try countLineByte()
                if let v = HTTP1Bytes.hexValue(c) {
                    // Shifting past Int.max would wrap into a small size: reject instead.
                    guard size <= Int.max >> 4 else { throw bad("chunk size overflows") }
                    size = size << 4 | v
                    digits += 1
                    continue
                }
                guard digits > 0 else { throw bad("invalid chunk size") }
                if size > limits.bodySize - body.count { throw HTTPParseError(status: 413, message: "body too large") }
                if c == HTTP1Bytes.cr {
                    phase = .sizeLF
                } else if c == HTTP1Bytes.semicolon || c == HTTP1Bytes.sp || c == HTTP1Bytes.htab {
                    // BWS is allowed before ";" (RFC 9112 7.1.1).
                    sawSemicolon = c == HTTP1Bytes.semicolon
                    phase = .extensions
                } else {
                    throw bad("invalid chunk size")
                }
            case .extensions:
                try countLineByte()
                if c == HTTP1Bytes.cr {
                    // Whitespace after the size must introduce an extension.
                    guard sawSemicolon else { throw bad("invalid chunk extension") }
                    phase = .sizeLF
                } else if c == HTTP1Bytes.semicolon {
                    sawSemicolon = true
                } else if !HTTP1Bytes.isFieldValueByte(c) {
                    throw bad("invalid chunk extension")
                }
            case .sizeLF:
                guard c == HTTP1Bytes.lf else { throw bad("bare CR in chunk size line") }
                lineLength = 0
                digits = 0
                sawSemicolon = false
                if size == 0 {
                    phase = .trailer
                } else {
                    remaining = size
                    size = 0
                    phase = .data
                }
            case .dataCR:
                guard c == HTTP1Bytes.cr else { throw bad("chunk data not followed by CRLF") }
                phase = .dataLF
            case .dataLF:
                guard c == HTTP1Bytes.lf else { throw bad("chunk data not followed by CRLF") }
                phase = .size
            case .trailer:
                if c == HTTP1Bytes.cr {
                    phase = .trailerLF
                } else {
                    guard c != HTTP1Bytes.lf else { throw bad("bare LF in trailer section") }
                    guard trailerLine.count < limits.fieldSize else {
                        throw HTTPParseError(status: 431, message: "trailer field too large")
                    }
                    trailerLine.append(c)
                }
            case .trailerLF:
                guard c == HTTP1Bytes.lf else { throw bad("bare CR in trailer section") }
                if trailerLine.isEmpty { return (i, true) }
                try checkTrailer(limits: limits)
                phase = .trailer
            case .data:
                break
            }
        }
        return (count, false)
    }

    private mutating func countLineByte() throws(HTTPParseError) {
        lineLength += 1
        if lineLength > Self.maxChunkLine { throw bad("chunk size line too long") }
    }

    /// Trailer fields follow the header field rules (RFC 9112 7.1.2); their values are
    /// not used, so they are only checked.
    private mutating func checkTrailer(limits: HTTPLimits) throws(HTTPParseError) {
        trailerCount += 1
        if trailerCount > limits.fieldCount { throw HTTPParseError(status: 431, message: "too many trailer fields") }
        let checked = trailerLine.withUnsafeBytes { line in
            Result { () throws(HTTPParseError) in try HTTP1FieldLine.parse(line, 0, line.count) }
        }
        _ = try checked.get()
        trailerLine.removeAll(keepingCapacity: true)
    }

    private func bad(_ message: String) -> HTTPParseError { HTTPParseError(status: 400, message: message) }
}
