extension Configuration {
    /// Every setting in `specs` at its default: the same as `defaults()` but
    /// over any table, so tests can exercise settings that are not declared yet.
    static func defaults(specs: [SettingSpec]) -> Configuration {
        var configuration = Configuration()
        for spec in specs {
            configuration.set(spec.key, spec.defaultValue, from: .defaultValue)
        }
        return configuration
    }
}
