extension AccessLogFormat {
    /// Appends the line for `entry` (without the newline) to `out`.
    func render(_ entry: AccessLogEntry, into out: inout [UInt8]) {
        for segment in segments {
            switch segment {
            case .literal(let bytes): out.append(contentsOf: bytes)
            case .atom(let atom): Self.appendEscaped(Self.value(of: atom, entry), to: &out)
            case .requestHeader(let name): Self.appendEscaped(entry.request.headers[name] ?? "-", to: &out)
            case .responseHeader(let name): Self.appendEscaped(entry.response.headers[name] ?? "-", to: &out)
            }
        }
    }

    static func value(of atom: AccessLogAtom, _ e: AccessLogEntry) -> String {
        switch atom {
        case .remoteAddress: return e.clientAddress.isEmpty ? "-" : e.clientAddress
        case .remoteLogname: return "-"
        case .user: return BasicAuthUser.name(from: e.request.headers["Authorization"]) ?? "-"
        case .time: return Timestamp.commonLog(epochSeconds: e.epochSeconds)
        case .requestLine: return "\(e.request.method) \(e.request.target) \(e.proto)"
        case .method: return e.request.method
        case .path: return e.request.path
        case .query: return e.request.query
        case .proto: return e.proto
        case .status: return String(e.response.status)
        case .bodyBytes: return String(e.bytesSent)
        case .bodyBytesOrDash: return e.bytesSent > 0 ? String(e.bytesSent) : "-"
        case .referer: return e.request.headers["Referer"] ?? "-"
        case .userAgent: return e.request.headers["User-Agent"] ?? "-"
        case .seconds: return String(e.durationNanoseconds / 1_000_000_000)
        case .microseconds: return String(e.durationNanoseconds / 1_000)
        case .decimalSeconds:
            let micros = (e.durationNanoseconds / 1_000) % 1_000_000
            let digits = String(micros)
            return "\(e.durationNanoseconds / 1_000_000_000)." + String(repeating: "0", count: 6 - digits.count) + digits
        case .pid: return "<\(e.pid)>"
        case .requestID: return e.requestID
        }
    }

    /// Copies `value`, writing `"`, `\` and control characters as `\xHH`
    /// (as nginx does), so a client cannot end a quoted field or forge a line.
    static func appendEscaped(_ value: String, to out: inout [UInt8]) {
        let hex = Array("0123456789ABCDEF".utf8)
        for c in value.utf8 {
            if c < 0x20 || c == 0x7F || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") {
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "x"), hex[Int(c >> 4)], hex[Int(c & 0xF)]])
            } else {
                out.append(c)
            }
        }
    }
}
