/// The command line split into options, setting assignments and positional
/// arguments, before any value is parsed: the loader needs `--config` and
/// `--help` before it can read anything else.
struct CommandLineArguments {
    /// One setting given on the command line, as typed.
    struct Assignment {
        let spec: SettingSpec
        /// The flag as the user wrote it (`-w`, `--workers`), for messages and sources.
        let flag: String
        let text: String
    }

    var options: [CommandLineFlags.Option] = []
    var configPath: String?
    var envFilePath: String?
    var assignments: [Assignment] = []
    var positional: [String] = []

    /// Splits `arguments` (without argv[0]). Accepts `--flag value`,
    /// `--flag=value`, `-f value`, `-fvalue`; booleans take no separate value
    /// (`--reuse-port`, `--no-reuse-port`, `--reuse-port=off`); `--` ends the options.
    init(_ arguments: [String], flags: CommandLineFlags) throws(ConfigError) {
        var index = 0
        func nextValue(for flag: String) throws(ConfigError) -> String {
            // A following long option means the value was forgotten; "-" alone
            // and "-5" are legitimate values (standard error, a number).
            guard index < arguments.count, !arguments[index].hasPrefix("--") else {
                throw ConfigError("\(flag): missing value")
            }
            index += 1
            return arguments[index - 1]
        }
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                positional += arguments[index...]
                break
            }
            guard argument.hasPrefix("-"), argument != "-" else {
                positional.append(argument)
                continue
            }
            let flag: String
            var inline: String?
            if argument.hasPrefix("--") {
                let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                flag = String(parts[0])
                inline = parts.count == 2 ? String(parts[1]) : nil
            } else {
                flag = String(argument.prefix(2))
                let rest = argument.dropFirst(2)
                inline = rest.isEmpty ? nil : String(rest.hasPrefix("=") ? rest.dropFirst() : rest)
            }
            guard let target = flags.targets[flag] else {
                let candidates = flags.ordered.filter { $0.hasPrefix("--") == flag.hasPrefix("--") }
                let hint = Suggestion.closest(to: flag, among: candidates).map { " (did you mean \($0)?)" } ?? ""
                throw ConfigError("unknown option \(flag)\(hint)")
            }
            switch target {
            case .option(.config):
                // Not `inline ?? nextValue`: the autoclosure would lose the typed throw.
                if let inline { configPath = inline } else { configPath = try nextValue(for: flag) }
            case .option(.envFile):
                if let inline { envFilePath = inline } else { envFilePath = try nextValue(for: flag) }
            case .option(let option):
                guard inline == nil else { throw ConfigError("\(flag) does not take a value") }
                options.append(option)
            case .setting(let spec, negated: true):
                guard inline == nil else { throw ConfigError("\(flag) does not take a value") }
                assignments.append(Assignment(spec: spec, flag: flag, text: "false"))
            case .setting(let spec, negated: false):
                // A boolean flag never takes the next argument: it could be a subcommand.
                let text: String
                if let inline { text = inline } else if spec.type == .bool { text = "true" } else { text = try nextValue(for: flag) }
                assignments.append(Assignment(spec: spec, flag: flag, text: text))
            }
        }
    }

    /// The action the options ask for; the most informative wins when several are given.
    var action: ConfigAction {
        if options.contains(.help) { return .help }
        if options.contains(.version) { return .version }
        if options.contains(.printConfig) { return .printConfig }
        if options.contains(.checkConfig) { return .checkConfig }
        return .run
    }
}
