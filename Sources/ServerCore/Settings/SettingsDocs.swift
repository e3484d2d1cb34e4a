/// Generates `docs/settings.md`, the sample `server.conf` and `--help` from
/// the settings table, so none of them can drift from the code.
public enum SettingsDocs {
    /// Sections in the order they first appear in the table, each with its settings in table order.
    static func sections(_ specs: [SettingSpec]) -> [(name: String, specs: [SettingSpec])] {
        var result: [(name: String, specs: [SettingSpec])] = []
        for spec in specs {
            if let index = result.firstIndex(where: { $0.name == spec.section }) {
                result[index].specs.append(spec)
            } else {
                result.append((spec.section, [spec]))
            }
        }
        return result
    }

    /// The default as config text, or the declared description when it depends on the machine.
    static func defaultText(_ spec: SettingSpec) -> String {
        spec.defaultDescription ?? spec.defaultValue.settingText
    }

    static func typeName(_ type: SettingType) -> String {
        switch type {
        case .int: return "integer"
        case .bool: return "boolean"
        case .string: return "string"
        case .stringList: return "list of strings (comma-separated or repeated)"
        case .duration: return "duration (seconds, or with a unit: ms, s, m, h, d)"
        case .bytes: return "size in bytes (optional unit: k, m, g; binary)"
        case .choice(let words): return "one of " + words.joined(separator: ", ")
        }
    }

    /// `1 to 1024`, `at least 0`, or nil when unbounded.
    static func boundsText(_ spec: SettingSpec) -> String? {
        switch (spec.minimum?.settingText, spec.maximum?.settingText) {
        case let (min?, max?): return "\(min) to \(max)"
        case let (min?, nil): return "at least \(min)"
        case let (nil, max?): return "at most \(max)"
        case (nil, nil): return nil
        }
    }

    static func reloadText(_ policy: ReloadPolicy) -> String {
        switch policy {
        case .live: return "live: applied by the master at once on HUP"
        case .nextWorkers: return "next workers: applied by the workers started after a HUP"
        case .restart: return "restart: needs a restart or a USR2 binary upgrade"
        }
    }

    /// The placeholder after a flag in `--help`.
    static func metavar(_ type: SettingType) -> String {
        switch type {
        case .int: return "INT"
        case .bool: return ""
        case .string: return "TEXT"
        case .stringList: return "LIST"
        case .duration: return "DURATION"
        case .bytes: return "SIZE"
        case .choice(let words): return "{" + words.joined(separator: ",") + "}"
        }
    }
}
