extension SettingsDocs {
    /// The `--help` text: usage, the options that are not settings, then every
    /// setting grouped by section with its flags, key and summary.
    /// `commands` (name and one-line summary) are listed after the options.
    public static func help(programName: String, commands: [(name: String, summary: String)] = []) -> String {
        help(programName: programName, specs: Settings.all, commands: commands)
    }

    static func help(programName: String, specs: [SettingSpec], commands: [(name: String, summary: String)] = []) -> String {
        var text = """
        Usage: \(programName) [OPTIONS] [COMMAND [ARGS...]]

        Runs the Paddock prefork HTTP server. Settings come from defaults, then
        Flask's variables (DATABASE_URL, PORT, WEB_CONCURRENCY, ...), then the config
        file (server.conf, or gunicorn.conf.py), then PADDOCK_<KEY> environment
        variables, then these options; ./.env (or --env-file) adds variables.
        Every setting also has the flag --KEY-WITH-DASHES; booleans have --no-FLAG.

        Options:

        """
        for (flags, option, summary) in CommandLineFlags.options {
            let names = flags.joined(separator: ", ") + (option == .config || option == .envFile ? " FILE" : "")
            text += "  \(names)\n      \(summary)\n"
        }
        if !commands.isEmpty {
            text += "\nCommands:\n"
            for command in commands {
                text += "  \(command.name)\n" + (command.summary.isEmpty ? "" : "      \(command.summary)\n")
            }
        }
        for section in sections(specs) {
            text += "\n\(section.name):\n"
            for spec in section.specs {
                var flags = CommandLineFlags.longAndShortFlags(of: spec)
                if spec.type == .bool { flags += noFlags(spec) }
                var names = flags.joined(separator: ", ")
                let placeholder = metavar(spec.type)
                if !placeholder.isEmpty { names += " " + placeholder }
                text += "  \(names)    [\(spec.key)]\n"
                text += "      \(spec.summary) Default: \(defaultText(spec)).\n"
            }
        }
        return text
    }
}
