/// Splits config-file text into `key = value` entries. Knows the syntax only;
/// which keys exist and what values mean is the loader's business.
enum ConfigFileParser {
    /// One `key = value` line.
    struct Entry: Equatable {
        /// As written, but with `-` turned into `_` and lower-cased, so
        /// `reuse-port` and `reuse_port` name the same setting.
        let key: String
        /// Everything after the first `=`, trimmed. No inline comments: values may contain `#`.
        let value: String
        /// 1-based, for error messages.
        let line: Int
    }

    static func entries(in text: String, path: String) throws(ConfigError) -> [Entry] {
        var entries: [Entry] = []
        // Not split(separator: "\n"): in Swift "\r\n" is one Character that is not
        // "\n", so a CRLF file would come back as one line.
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let lineNumber = index + 1
            var line = rawLine.trimmingWhitespace()
            if index == 0, line.hasPrefix("\u{FEFF}") { line = line.dropFirst().trimmingWhitespace() }
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw ConfigError("\(path):\(lineNumber): expected \"key = value\" but found \(String(reflecting: line))")
            }
            let key = line[..<equals].trimmingWhitespace()
            guard !key.isEmpty else {
                throw ConfigError("\(path):\(lineNumber): missing setting name before \"=\" in \(String(reflecting: line))")
            }
            entries.append(Entry(key: normalizedKey(key), value: line[line.index(after: equals)...].trimmingWhitespace(),
                                 line: lineNumber))
        }
        return entries
    }

    static func normalizedKey(_ key: String) -> String {
        String(key.lowercased().map { $0 == "-" ? "_" : $0 })
    }
}
