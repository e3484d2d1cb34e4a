/// Evaluates the expressions a `gunicorn.conf.py` commonly assigns: literals,
/// f-strings and `%` formatting, lists and tuples, names assigned earlier,
/// `+ - * / // %` with parentheses,
/// `multiprocessing.cpu_count()` / `os.cpu_count()` (the usable CPUs),
/// `os.environ.get(NAME[, DEFAULT])`, `os.getenv(...)`, `os.environ[NAME]`,
/// `int(...)`, `float(...)` and `str(...)`, and `ssl.CERT_NONE`,
/// `ssl.CERT_OPTIONAL`, `ssl.CERT_REQUIRED` (for `cert_reqs`).
struct PythonExpression {
    /// Python's `ssl` constants a gunicorn config uses, with their values.
    static let sslConstants = ["CERT_NONE": 0, "CERT_OPTIONAL": 1, "CERT_REQUIRED": 2]

    let tokens: [PythonToken.Located]
    var index: Int
    let variables: [String: PythonValue]
    let environment: [String: String]
    let cpuCount: Int
    let imports: Set<String>
    /// Names bound by `from os import getenv`: `getenv` -> `os.getenv`.
    let importedNames: [String: String]
    /// The names the expression read, so a helper variable is not taken for an unknown setting.
    private(set) var namesRead: Set<String> = []

    init(tokens: [PythonToken.Located], variables: [String: PythonValue], environment: [String: String],
         cpuCount: Int, imports: Set<String>, importedNames: [String: String] = [:]) {
        self.tokens = tokens
        self.index = 0
        self.variables = variables
        self.environment = environment
        self.cpuCount = cpuCount
        self.imports = imports
        self.importedNames = importedNames
    }

    private var line: Int { index < tokens.count ? tokens[index].line : (tokens.last?.line ?? 0) }
    private var peek: PythonToken? { index < tokens.count ? tokens[index].token : nil }

    private func fail(_ message: String) -> PythonSyntaxError { PythonSyntaxError(line: line, message: message) }

    private mutating func expect(_ op: String) throws(PythonSyntaxError) {
        guard peek == .op(op) else { throw fail("expected \"\(op)\"") }
        index += 1
    }

    /// The whole token list as one expression (a top-level comma makes a tuple).
    mutating func evaluateAll() throws(PythonSyntaxError) -> PythonValue {
        let value = try tuple(until: nil)
        guard index == tokens.count else { throw fail("unsupported expression (only literals, arithmetic and cpu_count() are read)") }
        return value
    }

    private mutating func tuple(until close: String?) throws(PythonSyntaxError) -> PythonValue {
        var items: [PythonValue] = []
        var sawComma = false
        while peek != nil && (close == nil || peek != .op(close!)) {
            items.append(try sum())
            guard peek == .op(",") else { break }
            index += 1
            sawComma = true
        }
        return sawComma || items.count != 1 ? .list(items) : items[0]
    }

    private mutating func sum() throws(PythonSyntaxError) -> PythonValue {
        var left = try product()
        while let op = peek, op == .op("+") || op == .op("-") {
            index += 1
            let right = try product()
            left = try arithmetic(op == .op("+") ? "+" : "-", left, right)
        }
        return left
    }

    private mutating func product() throws(PythonSyntaxError) -> PythonValue {
        var left = try unary()
        while case .op(let op)? = peek, ["*", "/", "//", "%"].contains(op) {
            index += 1
            let right = try unary()
            left = try arithmetic(op, left, right)
        }
        return left
    }

    private mutating func unary() throws(PythonSyntaxError) -> PythonValue {
        if peek == .op("-") {
            index += 1
            return try arithmetic("-", .int(0), try unary())
        }
        if peek == .op("+") {
            index += 1
            return try unary()
        }
        return try primary()
    }

    private mutating func primary() throws(PythonSyntaxError) -> PythonValue {
        guard let token = peek else { throw fail("expected a value") }
        index += 1
        switch token {
        case .int(let n): return .int(n)
        case .float(let d): return .float(d)
        case .string(var s):
            // Adjacent literals concatenate, as in Python.
            while case .string(let more)? = peek { s += more; index += 1 }
            return .string(s)
        case .formatString(let template):
            return .string(try format(template))
        case .op("("):
            let value = try tuple(until: ")")
            try expect(")")
            return value
        case .op("["):
            let value = try tuple(until: "]")
            try expect("]")
            if case .list = value { return value }
            return .list([value])
        case .name(let name):
            return try named(name)
        default:
            index -= 1
            throw fail("unsupported expression")
        }
    }

    private mutating func named(_ name: String) throws(PythonSyntaxError) -> PythonValue {
        switch name {
        case "True": return .bool(true)
        case "False": return .bool(false)
        case "None": return .none
        default: break
        }
        var path = [name]
        while peek == .op("."), index + 1 < tokens.count, case .name(let part) = tokens[index + 1].token {
            path.append(part)
            index += 2
        }
        if let target = importedNames[path[0]] {
            path = target.split(separator: ".").map(String.init) + path.dropFirst()
        }
        let dotted = path.joined(separator: ".")
        if peek == .op("(") {
            index += 1
            var arguments: [PythonValue] = []
            while peek != .op(")") {
                arguments.append(try sum())
                if peek == .op(",") { index += 1 } else { break }
            }
            try expect(")")
            return try call(dotted, arguments)
        }
        if dotted == "os.environ", peek == .op("[") {
            try requireImport("os")
            index += 1
            let key = try sum()
            try expect("]")
            guard case .string(let variable) = key else { throw fail("os.environ[...] needs a string") }
            guard let value = environment[variable] else { throw fail("os.environ[\(key.description)]: the variable is not set") }
            return .string(value)
        }
        if path.count == 2, path[0] == "ssl", let number = Self.sslConstants[path[1]] {
            try requireImport("ssl")
            return .int(number)
        }
        guard path.count == 1, let value = variables[name] else {
            throw fail("\(dotted) is not defined (only names assigned above, True, False and None)")
        }
        namesRead.insert(name)
        return value
    }

    /// An f-string: each `{expression}` evaluated as any other expression
    /// and written as `str()` would; `{{` and `}}` are braces. No format specs.
    private mutating func format(_ template: String) throws(PythonSyntaxError) -> String {
        var out = ""
        var rest = Substring(template)
        while let c = rest.first {
            rest = rest.dropFirst()
            if c == "{" && rest.first == "{" || c == "}" && rest.first == "}" {
                out.append(c)
                rest = rest.dropFirst()
                continue
            }
            guard c == "{" else {
                guard c != "}" else { throw fail("single \"}\" in an f-string") }
                out.append(c)
                continue
            }
            guard let close = rest.firstIndex(of: "}") else { throw fail("\"{\" not closed in an f-string") }
            let inner = String(rest[..<close])
            rest = rest[rest.index(after: close)...]
            if inner.contains(":") || inner.contains("!") { throw fail("format specs in f-strings are not supported") }
            let tokens = try PythonToken.tokenize(inner).filter { $0.token != .newline }
                .map { PythonToken.Located(token: $0.token, line: line, column: 0) }
            var expression = PythonExpression(tokens: tokens, variables: variables, environment: environment,
                                              cpuCount: cpuCount, imports: imports, importedNames: importedNames)
            let value = try expression.evaluateAll()
            namesRead.formUnion(expression.namesRead)
            switch value {
            case .string(let s): out += s
            case .list: throw fail("a list in an f-string is not supported")
            default: out += value.description
            }
        }
        return out
    }

    /// `"0.0.0.0:%s" % port`: `%s`, `%d` and `%i` take the values in order
    /// (one value, or a tuple), `%%` is a percent sign.
    private func percentFormat(_ template: String, _ values: PythonValue) throws(PythonSyntaxError) -> String {
        var queue: [PythonValue]
        if case .list(let items) = values { queue = items } else { queue = [values] }
        var out = ""
        var rest = Substring(template)
        while let c = rest.first {
            rest = rest.dropFirst()
            guard c == "%" else { out.append(c); continue }
            guard let spec = rest.first else { throw fail("incomplete format: a \"%\" at the end") }
            rest = rest.dropFirst()
            switch spec {
            case "%": out.append("%")
            case "s", "d", "i":
                guard !queue.isEmpty else { throw fail("not enough values for the format string") }
                let value = queue.removeFirst()
                if spec == "s" {
                    if case .string(let s) = value { out += s } else { out += value.description }
                } else {
                    guard case .int(let n) = value else { throw fail("%\(spec) needs an integer, got \(value.description)") }
                    out += String(n)
                }
            default: throw fail("only %s, %d and %i are supported in a format string")
            }
        }
        guard queue.isEmpty else { throw fail("not all values were used by the format string") }
        return out
    }

    private func requireImport(_ module: String) throws(PythonSyntaxError) {
        guard imports.contains(module) else { throw fail("\(module) is used but not imported") }
    }

    private func call(_ function: String, _ arguments: [PythonValue]) throws(PythonSyntaxError) -> PythonValue {
        switch function {
        case "multiprocessing.cpu_count", "os.cpu_count":
            try requireImport(String(function.split(separator: ".")[0]))
            guard arguments.isEmpty else { throw fail("\(function)() takes no arguments") }
            return .int(cpuCount)
        case "os.environ.get", "os.getenv":
            try requireImport("os")
            guard (1...2).contains(arguments.count), case .string(let variable) = arguments[0] else {
                throw fail("\(function)(NAME[, DEFAULT]) needs a variable name")
            }
            if let value = environment[variable] { return .string(value) }
            return arguments.count == 2 ? arguments[1] : .none
        case "int":
            guard arguments.count == 1 else { throw fail("int() takes one argument") }
            switch arguments[0] {
            case .int(let n): return .int(n)
            case .float(let d) where d.isFinite: return .int(Int(d))
            case .bool(let b): return .int(b ? 1 : 0)
            case .string(let s):
                guard let n = Int(s.trimmingWhitespace()) else { throw fail("int(\(arguments[0].description)): not an integer") }
                return .int(n)
            default: throw fail("int(\(arguments[0].description)): not a number")
            }
        case "float":
            guard arguments.count == 1 else { throw fail("float() takes one argument") }
            switch arguments[0] {
            case .int(let n): return .float(Double(n))
            case .float(let d): return .float(d)
            case .string(let s):
                guard let d = Double(s.trimmingWhitespace()) else { throw fail("float(\(arguments[0].description)): not a number") }
                return .float(d)
            default: throw fail("float(\(arguments[0].description)): not a number")
            }
        case "str":
            guard arguments.count == 1 else { throw fail("str() takes one argument") }
            if case .string(let s) = arguments[0] { return .string(s) }
            if case .list = arguments[0] { throw fail("str() of a list is not supported") }
            return .string(arguments[0].description)
        default:
            throw fail("\(function)() is not supported (only cpu_count(), os.environ.get(), os.getenv(), int(), float(), str())")
        }
    }

    private func arithmetic(_ op: String, _ a: PythonValue, _ b: PythonValue) throws(PythonSyntaxError) -> PythonValue {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            switch op {
            case "+": return .int(x &+ y)
            case "-": return .int(x &- y)
            case "*": return .int(x &* y)
            case "/":
                guard y != 0 else { throw fail("division by zero") }
                return .float(Double(x) / Double(y))
            case "//", "%":
                guard y != 0 else { throw fail("division by zero") }
                // Python floors: -7 // 2 is -4, and the remainder takes the divisor's sign.
                var q = x / y
                if (x % y != 0) && ((x < 0) != (y < 0)) { q -= 1 }
                return op == "//" ? .int(q) : .int(x - q * y)
            default: break
            }
        case (.string(let x), .string(let y)) where op == "+":
            return .string(x + y)
        case (.string(let template), _) where op == "%":
            return .string(try percentFormat(template, b))
        case (.list(let x), .list(let y)) where op == "+":
            return .list(x + y)
        default:
            if let x = a.number, let y = b.number {
                switch op {
                case "+": return .float(x + y)
                case "-": return .float(x - y)
                case "*": return .float(x * y)
                case "/":
                    guard y != 0 else { throw fail("division by zero") }
                    return .float(x / y)
                case "//":
                    guard y != 0 else { throw fail("division by zero") }
                    return .float((x / y).rounded(.down))
                default: break
                }
            }
        }
        throw fail("unsupported operation \(a.description) \(op) \(b.description)")
    }
}

private extension PythonValue {
    var number: Double? {
        switch self {
        case .int(let n): return Double(n)
        case .float(let d): return d
        default: return nil
        }
    }
}
