/// Request-target forms (RFC 9112 3.2) and the `Host` syntax (RFC 9110 7.2, RFC 3986 3.2).
enum HTTP1Target {
    /// Checks the target `bytes[start..<end]` and returns where its path starts and, when
    /// there is a `?`, where the query starts (just after it).
    ///
    /// Accepted: origin-form (`/path?query`), absolute-form with the `http` or `https` scheme
    /// (`http://host/path?query`), and asterisk-form (`*`) for OPTIONS only. CONNECT's
    /// authority-form is refused before this is reached.
    static func split(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int,
                      isOptions: Bool) throws(HTTPParseError) -> (pathStart: Int, queryStart: Int?) {
        var queryStart: Int?
        var i = start
        while i < end {
            let c = bytes[i]
            // A fragment is never sent (RFC 9110 7.1); raw non-ASCII and controls are not URI bytes.
            guard HTTP1Bytes.isVisibleASCII(c), c != 0x23 else { throw bad("invalid byte in request target") }
            if c == HTTP1Bytes.percent {
                guard i + 2 < end, HTTP1Bytes.hexValue(bytes[i + 1]) != nil, HTTP1Bytes.hexValue(bytes[i + 2]) != nil
                else { throw bad("invalid percent-encoding in request target") }
                i += 3
                continue
            }
            if c == HTTP1Bytes.question && queryStart == nil { queryStart = i + 1 }
            i += 1
        }

        let first = bytes[start]
        if first == HTTP1Bytes.slash { return (start, queryStart) }
        if first == 0x2A {
            guard end - start == 1, isOptions else { throw bad("asterisk-form is only for OPTIONS") }
            return (start, nil)
        }
        let pathStart = try absoluteFormPathStart(bytes, start, queryStart.map { $0 - 1 } ?? end)
        return (pathStart, queryStart)
    }

    /// `http://authority` or `https://authority` followed by the path; returns the path's start.
    /// `end` is where the path and authority part stops (the `?` or the target's end).
    private static func absoluteFormPathStart(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) throws(HTTPParseError) -> Int {
        let authorityStart: Int
        if HTTP1Bytes.equalsLowercase(bytes, start, min(7, end - start), "http://") {
            authorityStart = start + 7
        } else if HTTP1Bytes.equalsLowercase(bytes, start, min(8, end - start), "https://") {
            authorityStart = start + 8
        } else {
            throw bad("invalid request target")
        }
        var i = authorityStart
        while i < end && bytes[i] != HTTP1Bytes.slash { i += 1 }
        // userinfo (`user@host`) is deprecated and refused by isValidHost (RFC 9110 4.2.4).
        guard isValidHost(bytes, authorityStart, i) else { throw bad("invalid authority in request target") }
        return i
    }

    /// `host [ ":" port ]` with host a reg-name, an IPv4 address or a bracketed IPv6 literal.
    static func isValidHost(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
        guard start < end else { return false }
        var i = start
        if bytes[i] == 0x5B {  // "[" IPv6 literal "]"
            i += 1
            while i < end && bytes[i] != 0x5D {
                let c = bytes[i]
                guard HTTP1Bytes.hexValue(c) != nil || c == HTTP1Bytes.colon || c == 0x2E else { return false }
                i += 1
            }
            guard i < end, i - start >= 3 else { return false }
            i += 1
        } else {
            while i < end && bytes[i] != HTTP1Bytes.colon {
                let c = bytes[i]
                if c == HTTP1Bytes.percent {
                    guard i + 2 < end, HTTP1Bytes.hexValue(bytes[i + 1]) != nil, HTTP1Bytes.hexValue(bytes[i + 2]) != nil
                    else { return false }
                    i += 3
                    continue
                }
                guard HTTP1Bytes.isRegNameChar(c) else { return false }
                i += 1
            }
            guard i > start else { return false }
        }
        if i == end { return true }
        guard bytes[i] == HTTP1Bytes.colon else { return false }
        i += 1
        let digits = end - i
        guard digits >= 1, digits <= 5 else { return false }
        var port = 0
        while i < end {
            guard HTTP1Bytes.isDigit(bytes[i]) else { return false }
            port = port * 10 + Int(bytes[i] &- 0x30)
            i += 1
        }
        return port <= 65535
    }

    private static func bad(_ message: String) -> HTTPParseError { HTTPParseError(status: 400, message: message) }
}
