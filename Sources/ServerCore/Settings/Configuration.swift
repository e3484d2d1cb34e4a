/// Where a setting's value came from, for `--print-config` and error messages.
public enum SettingSource: Sendable, Equatable, CustomStringConvertible {
    case defaultValue
    case file(path: String, line: Int)
    case environment(String)
    /// A variable set by a `.env` file (`--env-file`), not by the real environment.
    case dotenv(path: String, line: Int, name: String)
    case commandLine(String)

    public var description: String {
        switch self {
        case .defaultValue: return "default"
        case .file(let path, let line): return "\(path):\(line)"
        case .environment(let name): return "env \(name)"
        case .dotenv(let path, let line, let name): return "\(path):\(line) \(name)"
        case .commandLine(let flag): return "command line \(flag)"
        }
    }
}

/// A complete, validated set of setting values.
public struct Configuration: Sendable {
    public private(set) var values: [String: SettingValue]
    public private(set) var sources: [String: SettingSource]

    /// Empty: not even defaults. Start from `defaults()` instead.
    init() {
        values = [:]
        sources = [:]
    }

    /// Every setting at its default.
    public static func defaults() -> Configuration {
        defaults(specs: Settings.all)
    }

    /// The typed value: `config[Settings.workers]` is an `Int`.
    public subscript<V>(_ setting: Setting<V>) -> V {
        guard let value = values[setting.key] else { return setting.defaultValue }
        guard let typed = value.get(V.self) else { preconditionFailure("setting \(setting.key) holds \(type(of: value.base)), not \(V.self)") }
        return typed
    }

    /// Sets a typed value, as code that decides one itself does (a generated secret).
    public mutating func set<V>(_ setting: Setting<V>, _ value: V, from source: SettingSource) {
        set(setting.key, SettingValue(value), from: source)
    }

    /// Sets a value (already parsed and validated by the loader).
    public mutating func set(_ key: String, _ value: SettingValue, from source: SettingSource) {
        values[key] = value
        sources[key] = source
    }

    /// Where the current value of `key` came from.
    public func source(of key: String) -> SettingSource { sources[key] ?? .defaultValue }
}
