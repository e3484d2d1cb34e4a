/// Every setting Paddock has, declared once. Sections live in
/// `Settings+<Section>.swift`; `all` lists them in documentation order.
public enum Settings {
    /// Every declared setting, in the order of the docs and the sample config.
    public static let all: [SettingSpec] = server + workerSettings + http + connections + logging + database + auth

    /// Finds a declaration by key.
    public static func spec(for key: String) -> SettingSpec? {
        all.first { $0.key == key }
    }
}
