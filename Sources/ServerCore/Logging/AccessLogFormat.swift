/// An access log format compiled once from gunicorn's `%(atom)s` syntax into
/// segments, so logging a request only walks a short array.
public struct AccessLogFormat: Sendable, Equatable {
    public let segments: [AccessLogSegment]

    /// gunicorn's default: Apache's combined format.
    public static let defaultFormat = #"%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s""#

    /// Compiles `text`. `%%` is a literal `%`; every other `%` must start
    /// `%(name)s`, and `name` must be a known atom or `{header}i` / `{header}o`.
    public init(parsing text: String) throws(AccessLogFormatError) {
        let bytes = Array(text.utf8)
        var segments: [AccessLogSegment] = []
        var literal: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            guard c == UInt8(ascii: "%") else { literal.append(c); i += 1; continue }
            let position = i + 1
            guard i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "%") || bytes[i + 1] == UInt8(ascii: "(") else {
                throw AccessLogFormatError("a lone % at character \(position); write %(name)s for an atom or %% for a literal %")
            }
            if bytes[i + 1] == UInt8(ascii: "%") { literal.append(c); i += 2; continue }
            guard let close = bytes[(i + 2)...].firstIndex(of: UInt8(ascii: ")")) else {
                throw AccessLogFormatError("%( at character \(position) is never closed")
            }
            let name = String(decoding: bytes[(i + 2)..<close], as: UTF8.self)
            guard close + 1 < bytes.count, bytes[close + 1] == UInt8(ascii: "s") else {
                throw AccessLogFormatError("%(\(name)) at character \(position) must be followed by s, as in %(\(name))s")
            }
            if !literal.isEmpty { segments.append(.literal(literal)); literal = [] }
            segments.append(try Self.segment(named: name, at: position))
            i = close + 2
        }
        if !literal.isEmpty { segments.append(.literal(literal)) }
        self.segments = segments
    }

    private static func segment(named name: String, at position: Int) throws(AccessLogFormatError) -> AccessLogSegment {
        if let atom = AccessLogAtom(rawValue: name) { return .atom(atom) }
        if name.hasPrefix("{"), name.count >= 4, let close = name.lastIndex(of: "}"), name.index(close, offsetBy: 2) == name.endIndex {
            let header = String(name[name.index(after: name.startIndex)..<close])
            guard !header.isEmpty, header.utf8.allSatisfy(isTokenByte) else {
                throw AccessLogFormatError("%(\(name))s at character \(position): \(String(reflecting: header)) is not a header name")
            }
            switch name.last {
            case "i": return .requestHeader(header)
            case "o": return .responseHeader(header)
            default:
                // gunicorn also has {name}e (WSGI environ), which has no equivalent here.
                throw AccessLogFormatError("%(\(name))s at character \(position): only {header}i and {header}o are supported")
            }
        }
        let known = AccessLogAtom.allCases.map(\.rawValue).joined(separator: " ")
        throw AccessLogFormatError("unknown atom %(\(name))s at character \(position); known atoms: \(known), {header}i, {header}o")
    }

    /// RFC 9110 token characters, which is what a header name is made of.
    private static func isTokenByte(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(c)
        }
    }
}
