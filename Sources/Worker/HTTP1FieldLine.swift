/// One `field-name ":" OWS field-value OWS` line located in a buffer (RFC 9112 5).
/// Shared by the header section and the chunked trailer section, which follow the same rules.
struct HTTP1FieldLine {
    var nameStart: Int
    var nameEnd: Int
    var valueStart: Int
    var valueEnd: Int

    /// Splits and checks the field line `bytes[start..<end]` (CRLF already removed).
    static func parse(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) throws(HTTPParseError) -> HTTP1FieldLine {
        // A line that starts with whitespace is obs-fold, or whitespace between the start
        // line and the first field; both are rejected (RFC 9112 5.2 and 2.2).
        let first = bytes[start]
        if first == HTTP1Bytes.sp || first == HTTP1Bytes.htab {
            throw HTTPParseError(status: 400, message: "obsolete line folding")
        }
        var i = start
        while i < end && HTTP1Bytes.isTchar(bytes[i]) { i += 1 }
        // No whitespace is allowed between the name and the colon (RFC 9112 5.1): it has been
        // used to smuggle requests past proxies that strip it.
        guard i > start, i < end, bytes[i] == HTTP1Bytes.colon else {
            throw HTTPParseError(status: 400, message: "invalid header field name")
        }
        let nameEnd = i
        i += 1
        while i < end && (bytes[i] == HTTP1Bytes.sp || bytes[i] == HTTP1Bytes.htab) { i += 1 }
        let valueStart = i
        var valueEnd = i
        while i < end {
            let c = bytes[i]
            guard HTTP1Bytes.isFieldValueByte(c) else {
                // Includes a bare CR: only CRLF ends a line (RFC 9112 2.2).
                throw HTTPParseError(status: 400, message: "invalid byte in header field value")
            }
            i += 1
            if c != HTTP1Bytes.sp && c != HTTP1Bytes.htab { valueEnd = i }
        }
        return HTTP1FieldLine(nameStart: start, nameEnd: nameEnd, valueStart: valueStart, valueEnd: valueEnd)
    }

    var nameCount: Int { nameEnd - nameStart }
}
