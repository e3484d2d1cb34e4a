/// A health endpoint's HTTP answer: the status and the body, read from the
/// bytes received so far. Pure, so the framing rules are tested without a
/// server.
struct HealthAnswer: Equatable {
    let status: Int
    let body: String

    /// The answer once it is complete: the head and `Content-Length` bytes
    /// of body, or whatever body arrived before the server closed
    /// (`atEnd`). Nil while more is needed, or when the bytes are not an
    /// HTTP/1.x response (then `isMalformed`).
    init?(_ bytes: [UInt8], atEnd: Bool) {
        guard let headEnd = HealthAnswer.headEnd(bytes) else { return nil }
        let head = String(decoding: bytes[..<headEnd], as: UTF8.self)
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        guard let status = HealthAnswer.status(ofStatusLine: lines[0]) else { return nil }
        var length: Int?
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].lowercased() == "content-length" {
                length = Int(line[line.index(after: colon)...].filter { $0 != " " && $0 != "\t" })
            }
        }
        let body = bytes[(headEnd + 4)...]
        if let length {
            guard body.count >= length else { return nil }
            self.body = String(decoding: body.prefix(length), as: UTF8.self)
        } else {
            guard atEnd else { return nil }
            self.body = String(decoding: body, as: UTF8.self)
        }
        self.status = status
    }

    init(status: Int, body: String) {
        self.status = status
        self.body = body
    }

    /// True when the bytes can never become an answer: the first line
    /// arrived and is not an HTTP/1.x status line.
    static func isMalformed(_ bytes: [UInt8]) -> Bool {
        guard let lineEnd = bytes.firstIndex(of: UInt8(ascii: "\n")) else {
            return bytes.count >= 5 && !bytes.starts(with: Array("HTTP/".utf8))
        }
        let line = String(decoding: bytes[..<lineEnd], as: UTF8.self)
        return status(ofStatusLine: line.hasSuffix("\r") ? Substring(line.dropLast()) : Substring(line)) == nil
    }

    /// `HTTP/1.1 200 OK` → 200.
    static func status(ofStatusLine line: Substring) -> Int? {
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3,
              let code = Int(parts[1]), (100...599).contains(code) else { return nil }
        return code
    }

    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
            return i
        }
        return nil
    }
}
