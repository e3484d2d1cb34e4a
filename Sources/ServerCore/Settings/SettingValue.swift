/// A setting's value with its type erased, as a `Configuration` stores it
/// under the setting's key. Code reads values through `Setting<Value>`
/// (`config[Settings.timeout]` is a `Duration`), never through this.
public struct SettingValue: Sendable, Hashable, CustomStringConvertible {
    public let base: any SettingValueType

    public init(_ base: some SettingValueType) { self.base = base }

    /// The value, if it is a `V`.
    public func get<V: SettingValueType>(_: V.Type = V.self) -> V? { base as? V }

    /// As it would follow `key =` in a config file.
    public var settingText: String { base.settingText }
    public var description: String { settingText }

    public static func == (a: SettingValue, b: SettingValue) -> Bool { AnyHashable(a.base) == AnyHashable(b.base) }
    public func hash(into hasher: inout Hasher) { AnyHashable(base).hash(into: &hasher) }

    // Shorthands for tests and for code that sets a value under a key.
    public static func int(_ value: Int) -> SettingValue { SettingValue(value) }
    public static func bool(_ value: Bool) -> SettingValue { SettingValue(value) }
    public static func string(_ value: String) -> SettingValue { SettingValue(value) }
    public static func list(_ value: [String]) -> SettingValue { SettingValue(value) }
    public static func duration(_ value: Duration) -> SettingValue { SettingValue(value) }
    public static func bytes(_ value: Int) -> SettingValue { SettingValue(ByteCount(value)) }
}
