/// A `.env` file read with python-dotenv's rules, so the file a Flask
/// deployment already has means the same here: `#` comment lines, an
/// optional `export ` prefix, `KEY=value` with the value unquoted (a
/// `whitespace #` starts a comment, trailing whitespace dropped), in single
/// quotes (literal but `\\` and `\'`) or in double quotes (`\n`, `\t`, `\"`
/// and the other C escapes), quoted values spanning lines, and `${VAR}` /
/// `${VAR:-default}` expanded from the variables above it and the real
/// environment (which wins). As python-dotenv 1.x does, expansion applies in
/// single quotes too, and `$VAR` without braces stays as written. A line it
/// cannot parse is skipped with a warning, as python-dotenv does.
public struct DotEnv: Sendable, Equatable {
    /// One `KEY=value` binding.
    public struct Entry: Sendable, Equatable {
        public let key: String
        public let value: String
        /// The line the binding starts on, from 1.
        public let line: Int
    }

    /// Bindings in file order; a key bound twice keeps its last value.
    public private(set) var entries: [Entry] = []
    /// Lines that were skipped, as `path:line: ...` messages.
    public private(set) var warnings: [String] = []

    /// Parses `text` (the contents of `path`), expanding variables over
    /// `environment` (the real one, which wins over the file's own bindings).
    public init(text: String, path: String, environment: [String: String]) {
        // Python reads the file with universal newlines: "\r\n" and "\r" are "\n", inside quotes too.
        var scalars: [Unicode.Scalar] = []
        var previousCR = false
        for c in text.unicodeScalars {
            if c == "\n" && previousCR { previousCR = false; continue }
            previousCR = c == "\r"
            scalars.append(c == "\r" ? "\n" : c)
        }
        var reader = Reader(scalars)
        var bound: [String: String] = [:]
        while true {
            reader.skip { $0.properties.isWhitespace }
            guard !reader.atEnd else { break }
            let line = reader.line
            let start = reader.index
            switch Self.binding(&reader) {
            case .failure:
                reader.index = start
                reader.line = line
                reader.skip { $0 != "\n" && $0 != "\r" }
                warnings.append("\(path):\(line): cannot parse this line; it is skipped")
            case .success(let parsed):
                guard let (key, raw) = parsed else { continue }
                // A key without `=` has no value: python-dotenv sets nothing for it.
                guard let raw else { continue }
                let value = Self.expand(raw, bound: bound, environment: environment)
                bound[key] = value
                entries.removeAll { $0.key == key }
                entries.append(Entry(key: key, value: value, line: line))
            }
        }
    }

    /// The value bound to `key`, with its line.
    public func entry(_ key: String) -> Entry? { entries.first { $0.key == key } }


    private struct ParseFailure: Error {}

    /// One line (or more, for a quoted value): nil for a comment line, else
    /// the key and its value (nil without `=`); a failure for anything else.
    private static func binding(_ r: inout Reader) -> Result<(String, String?)?, ParseFailure> {
        r.skipExport()
        var key: String?
        if r.peek == "#" {
            key = nil
        } else if r.peek == "'" {
            r.index += 1
            let name = r.take { $0 != "'" }
            guard !name.isEmpty, r.peek == "'" else { return .failure(ParseFailure()) }
            r.index += 1
            key = name
        } else {
            let name = r.take { $0 != "=" && $0 != "#" && !$0.properties.isWhitespace }
            guard !name.isEmpty else { return .failure(ParseFailure()) }
            key = name
        }
        r.skipInlineWhitespace()
        var value: String?
        if r.peek == "=" {
            r.index += 1
            let before = r.index
            r.skipInlineWhitespace()
            if r.index > before && r.peek == "#" {
                // `KEY= # comment` is empty; `KEY=#x` is the value "#x".
                value = ""
            } else {
                guard let parsed = parseValue(&r) else { return .failure(ParseFailure()) }
                value = parsed
            }
        }
        // An optional comment, then the end of the line.
        r.skipInlineWhitespace()
        if r.peek == "#" { r.skip { $0 != "\n" && $0 != "\r" } }
        r.skipInlineWhitespace()
        guard r.atEnd || r.peek == "\n" || r.peek == "\r" else { return .failure(ParseFailure()) }
        r.skipNewline()
        guard let key else { return .success(nil) }
        return .success((key, value))
    }

    private static func parseValue(_ r: inout Reader) -> String? {
        switch r.peek {
        case "'":
            guard let body = r.quoted("'") else { return nil }
            return unescape(body, allowed: "\\'")
        case "\"":
            guard let body = r.quoted("\"") else { return nil }
            return unescape(body, allowed: "\\'\"abfnrtv")
        case nil, "\n", "\r":
            return ""
        default:
            let text = r.take { $0 != "\n" && $0 != "\r" }
            return stripComment(text)
        }
    }

    /// python-dotenv: `re.sub(r"\s+#.*", "", value).rstrip()`.
    static func stripComment(_ text: String) -> String {
        var scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count {
            if scalars[i].properties.isWhitespace {
                var j = i
                while j < scalars.count, scalars[j].properties.isWhitespace { j += 1 }
                if j < scalars.count, scalars[j] == "#" {
                    scalars.removeSubrange(i...)
                    break
                }
                i = j
            } else {
                i += 1
            }
        }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars)
        return String(out)
    }

    /// Decodes the escapes python-dotenv decodes (a backslash and one of `allowed`); any other backslash stays.
    static func unescape(_ body: [Unicode.Scalar], allowed: String) -> String {
        let allowedSet = Set(allowed.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < body.count {
            let c = body[i]
            if c == "\\", i + 1 < body.count, allowedSet.contains(body[i + 1]) {
                switch body[i + 1] {
                case "a": out.append("\u{07}")
                case "b": out.append("\u{08}")
                case "f": out.append("\u{0C}")
                case "n": out.append("\n")
                case "r": out.append("\r")
                case "t": out.append("\t")
                case "v": out.append("\u{0B}")
                default: out.append(body[i + 1])
                }
                i += 2
            } else {
                out.append(c)
                i += 1
            }
        }
        return String(out)
    }

    /// `${NAME}` and `${NAME:-default}`: the real environment first, then the
    /// file's earlier bindings, then the default, else empty. `$NAME` stays.
    static func expand(_ text: String, bound: [String: String], environment: [String: String]) -> String {
        let s = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < s.count {
            if s[i] == "$", i + 1 < s.count, s[i + 1] == "{",
               let close = s[(i + 2)...].firstIndex(of: "}") {
                let inner = s[(i + 2)..<close]
                var name = inner[...]
                var fallback: ArraySlice<Unicode.Scalar>?
                if let colon = inner.firstIndex(of: ":") {
                    // python-dotenv's name stops at ":"; only ":-" introduces a default.
                    guard colon + 1 < close, s[colon + 1] == "-" else {
                        out.append(s[i])
                        i += 1
                        continue
                    }
                    name = inner[..<colon]
                    fallback = s[(colon + 2)..<close]
                }
                let key = String(String.UnicodeScalarView(name))
                if let value = environment[key] ?? bound[key] {
                    out.append(contentsOf: value.unicodeScalars)
                } else if let fallback {
                    out.append(contentsOf: fallback)
                }
                i = close + 1
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return String(out)
    }

    /// A cursor over the file's scalars that counts lines.
    private struct Reader {
        let s: [Unicode.Scalar]
        var index = 0
        var line = 1

        init(_ s: [Unicode.Scalar]) { self.s = s }

        var atEnd: Bool { index >= s.count }
        var peek: Unicode.Scalar? { atEnd ? nil : s[index] }

        mutating func advance() {
            // "\r\n" is one line break, as are "\n" and "\r" alone.
            if s[index] == "\n" || (s[index] == "\r" && (index + 1 >= s.count || s[index + 1] != "\n")) { line += 1 }
            index += 1
        }

        mutating func skip(while predicate: (Unicode.Scalar) -> Bool) {
            while !atEnd, predicate(s[index]) { advance() }
        }

        mutating func take(while predicate: (Unicode.Scalar) -> Bool) -> String {
            var out = String.UnicodeScalarView()
            while !atEnd, predicate(s[index]) {
                out.append(s[index])
                advance()
            }
            return String(out)
        }

        mutating func skipInlineWhitespace() {
            skip { $0 != "\n" && $0 != "\r" && $0.properties.isWhitespace }
        }

        mutating func skipNewline() {
            if peek == "\r" { advance() }
            if peek == "\n" { advance() }
        }

        /// `export` and at least one blank, as python-dotenv's `(?:export[^\S\r\n]+)?`.
        mutating func skipExport() {
            let word: [Unicode.Scalar] = ["e", "x", "p", "o", "r", "t"]
            guard index + word.count < s.count, Array(s[index..<(index + word.count)]) == word else { return }
            let next = s[index + word.count]
            guard next != "\n" && next != "\r" && next.properties.isWhitespace else { return }
            index += word.count
            skipInlineWhitespace()
        }

        /// The body of a quoted value (which may span lines); a backslash
        /// always takes the next character with it, so `\\` is not taken for
        /// the start of `\'`. nil when it never closes.
        mutating func quoted(_ quote: Unicode.Scalar) -> [Unicode.Scalar]? {
            let start = index
            let startLine = line
            advance()
            var body: [Unicode.Scalar] = []
            while !atEnd {
                let c = s[index]
                if c == "\\", index + 1 < s.count {
                    body.append(c)
                    body.append(s[index + 1])
                    advance()
                    advance()
                    continue
                }
                if c == quote {
                    advance()
                    return body
                }
                body.append(c)
                advance()
            }
            index = start
            line = startLine
            return nil
        }
    }
}
