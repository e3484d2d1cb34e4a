/// A variable other than `PADDOCK_<KEY>` that sets a setting, because the
/// deployment Paddock replaces already sets it: `DATABASE_URL`, `PORT`,
/// `WEB_CONCURRENCY`. Declared with the setting it feeds.
public struct EnvironmentAlias: Sendable {
    /// The variable's name.
    public let name: String
    /// What the alias means, for docs (`PORT`: "binds 0.0.0.0:$PORT").
    public let meaning: String?
    /// Turns the variable's text into the setting's text; nil keeps it as it is.
    public let translate: (@Sendable (String) -> String)?

    public init(_ name: String, meaning: String? = nil, translate: (@Sendable (String) -> String)? = nil) {
        self.name = name
        self.meaning = meaning
        self.translate = translate
    }

    /// The setting's text for the variable's `text`.
    public func settingText(_ text: String) -> String { translate?(text) ?? text }
}
