/// The subset of YAML that `compose.yaml` and `deploy/kubernetes/` keep to,
/// read without a dependency: block mappings and sequences by indentation,
/// `- key: value` items, plain and quoted scalars, one-line flow sequences
/// (`["CMD", "pg_isready"]`), `#` comments, `---` between documents. Anything
/// else is an error, so the files stay in a form this reader understands.
indirect enum ManifestYAML: Equatable, CustomStringConvertible {
    case scalar(String)
    case list([ManifestYAML])
    case map([(key: String, value: ManifestYAML)])

    struct SyntaxError: Error, CustomStringConvertible {
        let description: String
    }

    static func == (a: ManifestYAML, b: ManifestYAML) -> Bool {
        switch (a, b) {
        case (.scalar(let x), .scalar(let y)): return x == y
        case (.list(let x), .list(let y)): return x == y
        case (.map(let x), .map(let y)): return x.map(\.key) == y.map(\.key) && x.map(\.value) == y.map(\.value)
        default: return false
        }
    }

    var description: String {
        switch self {
        case .scalar(let s): return String(reflecting: s)
        case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .map(let pairs): return "{" + pairs.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        }
    }

    /// `node["spec"]`: a mapping's value, nil for a missing key or a non-mapping.
    subscript(key: String) -> ManifestYAML? {
        guard case .map(let pairs) = self else { return nil }
        return pairs.first { $0.key == key }?.value
    }

    /// `node[0]`: a sequence's item.
    subscript(index: Int) -> ManifestYAML? {
        guard case .list(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }

    var string: String? { if case .scalar(let s) = self { return s }; return nil }
    var items: [ManifestYAML] { if case .list(let items) = self { return items }; return [] }
    var keys: [String] { if case .map(let pairs) = self { return pairs.map(\.key) }; return [] }

    /// Every document in `text`.
    static func documents(_ text: String) throws -> [ManifestYAML] {
        var documents: [[Line]] = [[]]
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if raw.hasPrefix("---") { documents.append([]); continue }
            let content = stripComment(String(raw))
            guard !content.allSatisfy({ $0 == " " }) else { continue }
            guard !content.contains("\t") else { throw SyntaxError(description: "line \(number + 1): a tab") }
            let indent = content.prefix { $0 == " " }.count
            documents[documents.count - 1].append(Line(number: number + 1, indent: indent, text: String(content.dropFirst(indent))))
        }
        return try documents.filter { !$0.isEmpty }.map { lines in
            var reader = Reader(lines: lines)
            let node = try reader.block(indent: lines[0].indent)
            if reader.index < lines.count { throw SyntaxError(description: "line \(lines[reader.index].number): unexpected indentation") }
            return node
        }
    }

    struct Line {
        let number: Int
        let indent: Int
        var text: String
    }

    /// A comment starts at `#` at the start of the line or after a space, outside quotes.
    static func stripComment(_ line: String) -> String {
        var quote: Character?
        var previous: Character = " "
        var out = ""
        for c in line {
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "#" && previous == " " {
                break
            }
            out.append(c)
            previous = c
        }
        while out.last == " " { out.removeLast() }
        return out
    }

    static func scalar(_ text: String, line: Int) throws -> ManifestYAML {
        if text.hasPrefix("[") {
            guard text.hasSuffix("]") else { throw SyntaxError(description: "line \(line): a flow sequence must end on its line") }
            let inner = text.dropFirst().dropLast()
            if inner.allSatisfy({ $0 == " " }) { return .list([]) }
            return .list(try inner.split(separator: ",").map { try scalar(String($0).trimmedSpaces, line: line) })
        }
        if text.hasPrefix("{") || text.hasPrefix("&") || text.hasPrefix("*") || text.hasPrefix("|") || text.hasPrefix(">") {
            throw SyntaxError(description: "line \(line): \(text.prefix(1)) is outside the subset these files use")
        }
        for q in ["\"", "'"] where text.hasPrefix(q) {
            guard text.count >= 2, text.hasSuffix(q) else { throw SyntaxError(description: "line \(line): unterminated quote") }
            return .scalar(String(text.dropFirst().dropLast()))
        }
        return .scalar(text)
    }

    private struct Reader {
        var lines: [Line]
        var index = 0

        mutating func block(indent: Int) throws -> ManifestYAML {
            lines[index].text.hasPrefix("- ") || lines[index].text == "-" ? try sequence(indent: indent) : try mapping(indent: indent)
        }

        mutating func sequence(indent: Int) throws -> ManifestYAML {
            var items: [ManifestYAML] = []
            while index < lines.count, lines[index].indent == indent, lines[index].text.hasPrefix("-") {
                let line = lines[index]
                let rest = String(line.text.dropFirst()).trimmedSpaces
                if rest.isEmpty {
                    index += 1
                    guard index < lines.count, lines[index].indent > indent else { items.append(.scalar("")); continue }
                    items.append(try block(indent: lines[index].indent))
                } else if ManifestYAML.keyValue(rest) != nil {
                    // "- key: value" opens a mapping whose keys line up after the dash.
                    let inner = indent + line.text.count - rest.count
                    lines[index] = Line(number: line.number, indent: inner, text: rest)
                    items.append(try mapping(indent: inner))
                } else {
                    items.append(try ManifestYAML.scalar(rest, line: line.number))
                    index += 1
                }
            }
            return .list(items)
        }

        mutating func mapping(indent: Int) throws -> ManifestYAML {
            var pairs: [(key: String, value: ManifestYAML)] = []
            while index < lines.count, lines[index].indent == indent, !lines[index].text.hasPrefix("- ") {
                let line = lines[index]
                guard let (key, value) = ManifestYAML.keyValue(line.text) else {
                    throw SyntaxError(description: "line \(line.number): expected key: value, got \(line.text)")
                }
                guard !pairs.contains(where: { $0.key == key }) else { throw SyntaxError(description: "line \(line.number): \(key) twice") }
                index += 1
                if !value.isEmpty {
                    pairs.append((key, try ManifestYAML.scalar(value, line: line.number)))
                } else if index < lines.count, lines[index].indent > indent
                            || (lines[index].indent == indent && lines[index].text.hasPrefix("- ")) {
                    pairs.append((key, try block(indent: lines[index].indent)))
                } else {
                    pairs.append((key, .scalar("")))
                }
            }
            return .map(pairs)
        }
    }

    /// `key: value` or `key:`; the key may be quoted.
    static func keyValue(_ text: String) -> (String, String)? {
        var key: String
        var rest: Substring
        if let q = text.first, q == "\"" || q == "'" {
            guard let close = text.dropFirst().firstIndex(of: q) else { return nil }
            key = String(text[text.index(after: text.startIndex)..<close])
            rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
        } else {
            guard let colon = text.firstIndex(of: ":") else { return nil }
            let after = text.index(after: colon)
            guard after == text.endIndex || text[after] == " " else { return nil }
            key = String(text[..<colon])
            rest = text[colon...]
            guard !key.isEmpty, !key.contains(" ") else { return nil }
        }
        return (key, String(rest.dropFirst()).trimmedSpaces)
    }
}

extension String {
    var trimmedSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
