/// Every command-line flag the master accepts, derived from the settings
/// table: each spec's declared flags, `--key-with-dashes` for every key, and
/// `--no-…` for booleans; plus the options that are not settings.
struct CommandLineFlags {
    /// Options that act on the loader rather than set a value.
    enum Option: Equatable {
        case help, version, checkConfig, printConfig, config, envFile
    }

    enum Target {
        case option(Option)
        /// `negated` for `--no-…`: a boolean set to false.
        case setting(SettingSpec, negated: Bool)
    }

    static let options: [(flags: [String], option: Option, summary: String)] = [
        (["-c", "--config"], .config, "Read settings from FILE (also PADDOCK_CONFIG; default ./server.conf if it exists)."),
        (["--env-file"], .envFile, "Read environment variables from FILE (python-dotenv syntax; default ./.env if it exists); real variables win. As root, FILE must be root's and not writable by others."),
        (["--check-config"], .checkConfig, "Load and validate the configuration, then exit."),
        (["--print-config"], .printConfig, "Print every setting with its value and where it came from, then exit."),
        (["-h", "--help"], .help, "Show this help and exit."),
        (["--version"], .version, "Show the version and exit."),
    ]

    private(set) var targets: [String: Target] = [:]
    /// Every flag in declaration order, for did-you-mean (first wins ties).
    private(set) var ordered: [String] = []
    /// Flags declared twice (for tests; the first declaration wins).
    private(set) var clashes: [String] = []

    init(specs: [SettingSpec]) {
        for (flags, option, _) in Self.options {
            for flag in flags { add(flag, .option(option)) }
        }
        for spec in specs {
            for flag in Self.longAndShortFlags(of: spec) {
                add(flag, .setting(spec, negated: false))
                if spec.type == .bool, flag.hasPrefix("--") {
                    add("--no-" + flag.dropFirst(2), .setting(spec, negated: true))
                }
            }
        }
    }

    /// The declared flags plus `--key-with-dashes`, which every setting has
    /// whether or not it is declared.
    static func longAndShortFlags(of spec: SettingSpec) -> [String] {
        let derived = "--" + String(spec.key.map { $0 == "_" ? "-" : $0 })
        return spec.flags.contains(derived) ? spec.flags : spec.flags + [derived]
    }

    /// A clash would be a declaration mistake; the first declaration keeps the
    /// flag and a test over `Settings.all` reports the clash.
    private mutating func add(_ flag: String, _ target: Target) {
        guard targets[flag] == nil else {
            clashes.append(flag)
            return
        }
        targets[flag] = target
        ordered.append(flag)
    }
}
