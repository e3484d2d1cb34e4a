extension Configuration {
    /// Config-file text with every setting (secrets included, verbatim);
    /// `ConfigLoader.parse(text:)` of it gives back an equal configuration.
    /// The master hands this to workers, so they see exactly what it validated.
    public func serialized() -> String {
        serialized(specs: Settings.all)
    }

    /// For `--print-config`: every `key = value`, each with a comment line
    /// above naming its source; non-empty secrets are shown as `<redacted>`
    /// (an empty one stays visible, since "not set" is what one checks for).
    public func printable() -> String {
        printable(specs: Settings.all)
    }

    static let redacted = "<redacted>"

    func serialized(specs: [SettingSpec]) -> String {
        var text = ""
        for spec in specs {
            text += lines(for: spec).joined()
        }
        return text
    }

    func printable(specs: [SettingSpec]) -> String {
        var text = ""
        for spec in specs {
            text += "# \(spec.key): \(source(of: spec.key))\n"
            if spec.secret, let value = values[spec.key], value != .string(""), value != .list([]) {
                text += "\(spec.key) = \(Self.redacted)\n"
            } else {
                text += lines(for: spec).joined()
            }
        }
        return text
    }

    /// One line per list item, since a repeated key appends and an item may
    /// not survive being joined with commas; one line for everything else.
    private func lines(for spec: SettingSpec) -> [String] {
        let value = values[spec.key] ?? spec.defaultValue
        if let items = value.get([String].self) {
            // "key =" alone is the empty list: it replaces the default with nothing.
            if items.isEmpty { return ["\(spec.key) =\n"] }
            return items.map { "\(spec.key) = \(SettingFormatter.quoteIfNeeded($0, forList: true))\n" }
        }
        return ["\(spec.key) = \(value.settingText)\n"]
    }
}
