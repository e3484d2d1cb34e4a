/// The variables the loader reads: the real environment, plus what a `.env`
/// file adds. A real variable always wins over the file's, as with
/// python-dotenv's `load_dotenv()`; each value remembers where it came from.
struct EnvironmentVariables {
    /// One variable that sets a setting.
    struct Found {
        /// The setting's text (after an alias's translation).
        let text: String
        let source: SettingSource
        /// For error messages: the variable, or `path:line NAME` for the file.
        let location: String
    }

    let real: [String: String]
    let dotenv: DotEnv?
    let dotenvPath: String?

    /// The file's variables under the real ones.
    var merged: [String: String] {
        var all = real
        for entry in dotenv?.entries ?? [] where all[entry.key] == nil { all[entry.key] = entry.value }
        return all
    }

    /// `PADDOCK_<KEY>`, if set.
    func paddockVariable(for spec: SettingSpec) -> Found? {
        find(EnvironmentAlias(spec.environmentVariable))
    }

    /// The first of the setting's aliases that is set (`JWT_SECRET_KEY` before `SECRET_KEY`).
    func alias(for spec: SettingSpec) -> Found? {
        for alias in spec.aliases {
            if let found = find(alias) { return found }
        }
        return nil
    }

    private func find(_ variable: EnvironmentAlias) -> Found? {
        let name = variable.name
        if let text = real[name] {
            return Found(text: variable.settingText(text), source: .environment(name), location: name)
        }
        if let entry = dotenv?.entry(name), let path = dotenvPath {
            return Found(text: variable.settingText(entry.value), source: .dotenv(path: path, line: entry.line, name: name),
                         location: "\(path):\(entry.line) \(name)")
        }
        return nil
    }
}
