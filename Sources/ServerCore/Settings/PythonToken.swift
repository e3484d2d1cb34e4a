/// A token of the Python subset a `gunicorn.conf.py` is read in.
enum PythonToken: Equatable {
    case name(String)
    case int(Int)
    case float(Double)
    case string(String)
    /// An f-string's text, `{expression}` parts still in it.
    case formatString(String)
    /// Operators and punctuation: `+ - * / // % ( ) [ ] , . = :`.
    case op(String)
    /// The end of a logical line (never inside brackets).
    case newline

    /// A token with where it starts: the line (from 1) and, for the first token of a
    /// logical line, its column, which is how blocks are told apart.
    struct Located: Equatable {
        let token: PythonToken
        let line: Int
        let column: Int
    }

    /// Splits `text` into tokens: `#` comments, `\` continuations and lines
    /// inside brackets joined, strings in single, double or triple quotes
    /// with Python's common escapes. Throws `(line, message)` for anything else.
    static func tokenize(_ text: String) throws(PythonSyntaxError) -> [Located] {
        let s = Array(text.unicodeScalars)
        var tokens: [Located] = []
        var i = 0, line = 1, column = 0, depth = 0
        // Set by an `f` prefix: the string that follows is an f-string.
        var formatNext = false
        func peek(_ offset: Int = 0) -> Unicode.Scalar? { i + offset < s.count ? s[i + offset] : nil }
        func endLine() {
            if depth == 0, let last = tokens.last, last.token != .newline { tokens.append(Located(token: .newline, line: line, column: 0)) }
        }
        while i < s.count {
            let c = s[i]
            if c == "\n" {
                endLine()
                i += 1; line += 1; column = 0
                continue
            }
            if c == " " || c == "\t" || c == "\r" || c == "\u{0C}" {
                i += 1; column += c == "\t" ? 8 - column % 8 : 1
                continue
            }
            if c == "#" {
                while i < s.count, s[i] != "\n" { i += 1 }
                continue
            }
            if c == "\\", peek(1) == "\n" {
                i += 2; line += 1; column = 0
                continue
            }
            let startLine = line, startColumn = column
            func add(_ t: PythonToken) { tokens.append(Located(token: t, line: startLine, column: startColumn)) }
            if c.properties.isAlphabetic || c == "_" {
                var name = String.UnicodeScalarView()
                while let d = peek(), d.properties.isAlphabetic || d.properties.numericType != nil || d == "_" {
                    name.append(d); i += 1; column += 1
                }
                let word = String(name)
                // String prefixes: u'' is a plain string, f'' is read below; r'' and b'' are not supported.
                if word.lowercased() == "u", let q = peek(), q == "'" || q == "\"" { continue }
                if word.lowercased() == "f", let q = peek(), q == "'" || q == "\"" {
                    formatNext = true
                    continue
                }
                if ["r", "b", "rb", "br", "fr", "rf"].contains(word.lowercased()), let q = peek(), q == "'" || q == "\"" {
                    throw PythonSyntaxError(line: startLine, message: "\(word)-strings are not supported; use a plain string")
                }
                add(.name(word))
                continue
            }
            if c.properties.numericType != nil || (c == "." && peek(1)?.properties.numericType != nil) {
                var literal = ""
                while let d = peek(), d.properties.isAlphabetic || d.properties.numericType != nil || d == "_" || d == "."
                        || ((d == "+" || d == "-") && (literal.last == "e" || literal.last == "E") && !literal.lowercased().hasPrefix("0x")) {
                    literal.unicodeScalars.append(d); i += 1; column += 1
                }
                add(try number(literal, line: startLine))
                continue
            }
            if c == "'" || c == "\"" {
                let triple = peek(1) == c && peek(2) == c
                i += triple ? 3 : 1; column += triple ? 3 : 1
                var value = String.UnicodeScalarView()
                var closed = false
                while i < s.count {
                    let d = s[i]
                    if d == c && (!triple || (peek(1) == c && peek(2) == c)) {
                        i += triple ? 3 : 1; column += triple ? 3 : 1
                        closed = true
                        break
                    }
                    if d == "\n" {
                        guard triple else { break }
                        line += 1; column = 0
                        value.append(d); i += 1
                        continue
                    }
                    if d == "\\", let e = peek(1) {
                        i += 2; column += 2
                        switch e {
                        case "n": value.append("\n")
                        case "t": value.append("\t")
                        case "r": value.append("\r")
                        case "0": value.append("\u{0}")
                        case "\\", "'", "\"": value.append(e)
                        case "\n": line += 1; column = 0
                        default: value.append("\\"); value.append(e)
                        }
                        continue
                    }
                    value.append(d); i += 1; column += 1
                }
                guard closed else { throw PythonSyntaxError(line: startLine, message: "string not closed") }
                add(formatNext ? .formatString(String(value)) : .string(String(value)))
                formatNext = false
                continue
            }
            let two = peek(1).map { String(c) + String($0) } ?? ""
            if two == "//" || two == "**" || two == "==" || two == "+=" || two == "-=" || two == "*=" {
                add(.op(two)); i += 2; column += 2
                continue
            }
            if "+-*/%()[]{},.=:".unicodeScalars.contains(c) {
                if c == "(" || c == "[" || c == "{" { depth += 1 }
                if c == ")" || c == "]" || c == "}" { depth = max(0, depth - 1) }
                add(.op(String(c))); i += 1; column += 1
                continue
            }
            throw PythonSyntaxError(line: line, message: "unexpected character \(String(reflecting: String(c)))")
        }
        endLine()
        return tokens
    }

    /// Python's integer and float literals: `2048`, `1_000`, `0o22`, `0x1f`, `2.5`, `1e3`.
    private static func number(_ literal: String, line: Int) throws(PythonSyntaxError) -> PythonToken {
        let text = literal.filter { $0 != "_" }.lowercased()
        for (prefix, radix) in [("0o", 8), ("0x", 16), ("0b", 2)] where text.hasPrefix(prefix) {
            if let n = Int(text.dropFirst(2), radix: radix) { return .int(n) }
        }
        if let n = Int(text) { return .int(n) }
        if let d = Double(text) { return .float(d) }
        throw PythonSyntaxError(line: line, message: "invalid number \(literal)")
    }
}
