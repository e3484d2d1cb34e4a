/// gunicorn's config file (`paddock --config gunicorn.conf.py`, recognised
/// by the `.py` suffix): the common subset of Python it is written in
/// (assignments of literals and `multiprocessing.cpu_count()` arithmetic,
/// `import multiprocessing` / `import os` / `import ssl` and their `from ... import` forms,
/// `ssl.CERT_REQUIRED` and the other `cert_reqs` constants,
/// `os.environ.get(...)`, f-strings), with
/// gunicorn's setting names mapped to Paddock's. A gunicorn setting that does
/// not apply to Paddock (`worker_class`, `daemon`, ...) and a server hook
/// (`def on_starting(server): ...`, skipped) are warnings; an unknown name
/// or an unsupported statement is an error naming file and line.
enum GunicornConfig {
    /// What the file sets, as config-file entries under Paddock's keys, and what to warn about.
    struct Result {
        var entries: [ConfigFileParser.Entry] = []
        var warnings: [String] = []
    }

    /// Whether `path` is read as a gunicorn config rather than as `server.conf` syntax.
    static func handles(path: String) -> Bool { path.hasSuffix(".py") }

    static func parse(text: String, path: String, environment: [String: String], specs: [SettingSpec],
                      cpuCount: Int = CPULimit.usableCPUs()) throws(ConfigError) -> Result {
        do throws(PythonSyntaxError) {
            return try statements(text: text, path: path, environment: environment, specs: specs, cpuCount: cpuCount)
        } catch {
            throw ConfigError("\(path):\(error.line): \(error.message)")
        }
    }

    /// The parse itself, with errors still as `(line, message)`.
    private static func statements(text: String, path: String, environment: [String: String], specs: [SettingSpec],
                                   cpuCount: Int) throws(PythonSyntaxError) -> Result {
        let statements = split(try PythonToken.tokenize(text))
        var result = Result()
        var imports: Set<String> = []
        var importedNames: [String: String] = [:]
        var variables: [String: PythonValue] = [:]
        var assigned: [(name: String, line: Int, value: PythonValue)] = []
        var namesRead: Set<String> = []
        var skipDeeperThan: Int?
        for statement in statements {
            let first = statement[0]
            if let column = skipDeeperThan {
                if first.column > column { continue }
                skipDeeperThan = nil
            }
            let tokens = statement.map(\.token)
            switch tokens[0] {
            case .name("import"):
                for module in try importedModules(tokens.dropFirst(), line: first.line) { imports.insert(module) }
            case .name("from"):
                let (module, names) = try importedNamesFrom(tokens.dropFirst(), line: first.line)
                imports.insert(module)
                for name in names { importedNames[name] = module + "." + name }
            case .name("def"):
                let name: String
                if tokens.count > 1, case .name(let n) = tokens[1] { name = n } else { name = "?" }
                let what = GunicornNames.hooks.contains(name) ? "server hook \(name)() is" : "function \(name)() is"
                result.warnings.append("\(path):\(first.line): \(what) not supported by Paddock and is skipped")
                skipDeeperThan = first.column
            case .string where tokens.count == 1:
                continue // a docstring
            case .name(let name) where tokens.count >= 2 && tokens[1] == .op("=")
                    && GunicornNames.meaning(of: name, paddockKeys: [])?.isNotApplicable == true:
                // Not evaluated: the value does not matter, and may be a dict
                // (`secure_scheme_headers`, `logconfig_dict`) the subset has no use for.
                assigned.append((name, first.line, .none))
            case .name(let name) where tokens.count >= 2 && [.op("+="), .op("-="), .op("*=")].contains(tokens[1]):
                // `workers += 1` is `workers = workers + 1`.
                guard case .op(let augmented) = tokens[1] else { continue }
                let rewritten = [first, PythonToken.Located(token: .op(String(augmented.dropLast())), line: first.line, column: 0),
                                 PythonToken.Located(token: .op("("), line: first.line, column: 0)]
                    + statement.dropFirst(2) + [PythonToken.Located(token: .op(")"), line: first.line, column: 0)]
                var expression = PythonExpression(tokens: rewritten, variables: variables,
                                                  environment: environment, cpuCount: cpuCount, imports: imports,
                                                  importedNames: importedNames)
                let value = try expression.evaluateAll()
                namesRead.formUnion(expression.namesRead)
                variables[name] = value
                assigned.append((name, first.line, value))
            case .name(let name) where tokens.count >= 2 && tokens[1] == .op("="):
                var expression = PythonExpression(tokens: Array(statement.dropFirst(2)), variables: variables,
                                                  environment: environment, cpuCount: cpuCount, imports: imports,
                                                  importedNames: importedNames)
                let value = try expression.evaluateAll()
                namesRead.formUnion(expression.namesRead)
                variables[name] = value
                assigned.append((name, first.line, value))
            default:
                if first.column > 0 {
                    throw PythonSyntaxError(line: first.line, message: "unexpected indentation")
                }
                throw PythonSyntaxError(line: first.line, message: "unsupported statement (only imports, \"name = value\" and def blocks, which are skipped)")
            }
        }

        // The last assignment of a name is the one gunicorn sees.
        var seen: Set<String> = []
        var final: [(name: String, line: Int, value: PythonValue)] = []
        for entry in assigned.reversed() where seen.insert(entry.name).inserted { final.insert(entry, at: 0) }
        let paddockKeys = Set(specs.map(\.key))
        for (name, line, value) in final {
            let location = "\(path):\(line)"
            switch GunicornNames.meaning(of: name, paddockKeys: paddockKeys) {
            case .setting(let key):
                // None is gunicorn's "not set" (`proc_name = None`, `accesslog = None`): Paddock's default applies.
                guard value != .none, let spec = specs.first(where: { $0.key == key }) else { continue }
                var value = value
                if GunicornNames.zeroMeansUnlimited.contains(name), value == .int(0), let maximum = spec.maximum?.get(Int.self) {
                    // gunicorn's 0 is "no limit"; Paddock always has one, so the largest it allows.
                    value = .int(maximum)
                    result.warnings.append("\(location): \(name) = 0 (no limit in gunicorn) becomes \(maximum), the most Paddock allows")
                }
                for text in try settingTexts(value, key: key, line: line) {
                    result.entries.append(ConfigFileParser.Entry(key: key, value: text, line: line))
                }
                if let warning = GunicornNames.advice(name: name, value: value) { result.warnings.append("\(location): \(warning)") }
            case .notApplicable(let why):
                result.warnings.append("\(location): gunicorn's \(name) does not apply to Paddock and is ignored: \(why)")
            case nil:
                // A helper (`port = ...` used by `bind = ...`), or private by Python's convention.
                if namesRead.contains(name) || name.hasPrefix("_") || imports.contains(name) || importedNames[name] != nil { continue }
                let hint = Suggestion.closest(to: name, among: GunicornNames.allNames).map { " (did you mean \"\($0)\"?)" } ?? ""
                throw PythonSyntaxError(line: line, message: "unknown gunicorn setting \(String(reflecting: name))\(hint)")
            }
        }
        return result
    }

    /// Logical lines, each a non-empty token list.
    private static func split(_ tokens: [PythonToken.Located]) -> [[PythonToken.Located]] {
        var statements: [[PythonToken.Located]] = []
        var current: [PythonToken.Located] = []
        for token in tokens {
            if token.token == .newline {
                if !current.isEmpty { statements.append(current) }
                current = []
            } else {
                current.append(token)
            }
        }
        if !current.isEmpty { statements.append(current) }
        return statements
    }

    /// `import multiprocessing`, `import os, sys`; anything else would need Python.
    private static func importedModules(_ tokens: ArraySlice<PythonToken>, line: Int) throws(PythonSyntaxError) -> [String] {
        var modules: [String] = []
        var expectName = true
        for token in tokens {
            switch (token, expectName) {
            case (.name(let module), true):
                guard ["multiprocessing", "os", "ssl", "sys"].contains(module) else {
                    throw PythonSyntaxError(line: line, message: "import \(module) is not supported (only multiprocessing, os, ssl and sys)")
                }
                modules.append(module)
                expectName = false
            case (.op(","), false):
                expectName = true
            default:
                throw PythonSyntaxError(line: line, message: "unsupported import statement")
            }
        }
        guard !modules.isEmpty, !expectName else { throw PythonSyntaxError(line: line, message: "unsupported import statement") }
        return modules
    }

    /// `from multiprocessing import cpu_count`, `from os import environ, getenv`.
    private static func importedNamesFrom(_ tokens: ArraySlice<PythonToken>, line: Int) throws(PythonSyntaxError) -> (String, [String]) {
        let allowed = ["multiprocessing": ["cpu_count"], "os": ["environ", "getenv", "cpu_count"],
                       "ssl": Array(PythonExpression.sslConstants.keys).sorted()]
        let items = Array(tokens)
        guard items.count >= 3, case .name(let module) = items[0], items[1] == .name("import"), let names = allowed[module] else {
            throw PythonSyntaxError(line: line, message: "unsupported import (only from multiprocessing import cpu_count, from os import environ, getenv, cpu_count, from ssl import CERT_NONE, CERT_OPTIONAL, CERT_REQUIRED)")
        }
        var imported: [String] = []
        var expectName = true
        for token in items.dropFirst(2) {
            switch (token, expectName) {
            case (.name(let name), true) where names.contains(name):
                imported.append(name)
                expectName = false
            case (.op(","), false):
                expectName = true
            default:
                throw PythonSyntaxError(line: line, message: "unsupported import (from \(module) import \(names.joined(separator: ", ")) only)")
            }
        }
        guard !expectName else { throw PythonSyntaxError(line: line, message: "unsupported import statement") }
        return (module, imported)
    }

    /// The value as config-file text for `key`: one text per list item.
    private static func settingTexts(_ value: PythonValue, key: String, line: Int) throws(PythonSyntaxError) -> [String] {
        if key == Settings.certReqs.key, case .int(let number) = value {
            // gunicorn's cert_reqs is ssl.CERT_NONE, CERT_OPTIONAL or CERT_REQUIRED: 0, 1, 2.
            guard let policy = GunicornNames.certReqsNumbers[number] else {
                throw PythonSyntaxError(line: line, message: "cert_reqs = \(number): expected 0, 1 or 2 (ssl.CERT_NONE, ssl.CERT_OPTIONAL, ssl.CERT_REQUIRED)")
            }
            return [policy.rawValue]
        }
        if key == "umask", case .int(let mask) = value {
            // gunicorn's umask is a number (0o022, or 18); Paddock's is octal text.
            return [String(mask, radix: 8)]
        }
        switch value {
        case .int(let n): return [String(n)]
        case .float(let d): return [SettingFormatter.plainDecimal(d)]
        case .bool(let b): return [b ? "true" : "false"]
        case .none: return []
        case .string(let s): return [SettingFormatter.quoteIfNeeded(s, forList: false)]
        case .list(let items):
            var texts: [String] = []
            for item in items {
                guard case .string(let s) = item else {
                    throw PythonSyntaxError(line: line, message: "\(key): a list may hold only strings, found \(item.description)")
                }
                texts.append(SettingFormatter.quoteIfNeeded(s, forList: true))
            }
            // An empty list empties the setting, as `key =` does in server.conf.
            return texts.isEmpty ? [""] : texts
        }
    }
}
