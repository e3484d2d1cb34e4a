extension SettingsDocs {
    /// `docs/settings.md`: every setting grouped by section, with its key,
    /// type, default, bounds, flags, environment variable, reload policy,
    /// summary and doc.
    public static func markdown() -> String {
        markdown(specs: Settings.all)
    }

    static func markdown(specs: [SettingSpec]) -> String {
        var md = """
        # Settings

        <!-- Generated from Sources/ServerCore/Settings by SettingsDocs.markdown(); do not edit by hand. -->

        Every setting can be given in these places; a later one wins:

        1. its default,
        2. the variables a Flask or gunicorn deployment already sets, where a setting lists them under
           Environment (`DATABASE_URL`, `PORT`, `WEB_CONCURRENCY`, ...); like gunicorn's `PORT` and
           `WEB_CONCURRENCY`, they are defaults the config file overrides,
        3. the config file: `--config FILE` (`-c`), else `PADDOCK_CONFIG`, else `./server.conf` if it exists,
           with one `key = value` per line (`#` starts a comment line; `-` may be written for `_` in keys),
        4. the environment: `PADDOCK_` and the key in upper case,
        5. the command line: the flags listed below, and `--key-with-dashes` for every key.

        A `.env` file in the working directory (or `--env-file FILE`) is read with python-dotenv's rules and adds
        the variables the real environment does not set; a real variable always wins. The config file may also
        be a gunicorn config (`--config gunicorn.conf.py`, see docs/deploy.md).

        Lists: in the config file a repeated key appends, and so does a repeated flag on the command line;
        an environment variable holds a whole comma-separated list. Booleans accept true/false, yes/no, on/off
        and 1/0; on the command line a boolean flag alone means true and `--no-FLAG` means false.
        `paddock --print-config` shows every value and where it came from; `paddock --check-config` validates.


        """
        for section in sections(specs) {
            // "settings" in the heading keeps a section's anchor apart from a key's (`workers`).
            md += "- [\(section.name)](#\(anchor(section.name + " settings"))): "
            md += section.specs.map { "[`\($0.key)`](#\(anchor($0.key)))" }.joined(separator: ", ") + "\n"
        }
        for section in sections(specs) {
            md += "\n## \(section.name) settings\n"
            for spec in section.specs {
                md += "\n" + entry(spec)
            }
        }
        return md
    }

    private static func entry(_ spec: SettingSpec) -> String {
        var md = "### \(spec.key)\n\n\(spec.summary)\n\n"
        var rows: [(String, String)] = [("Type", typeName(spec.type)), ("Default", code(defaultText(spec)))]
        if let bounds = boundsText(spec) { rows.append(("Bounds", bounds)) }
        rows.append(("Command line", CommandLineFlags.longAndShortFlags(of: spec).map(code).joined(separator: ", ")
                     + (spec.type == .bool ? ", " + noFlags(spec).map(code).joined(separator: ", ") : "")))
        rows.append(("Environment", ([code(spec.environmentVariable)] + spec.aliases.map { alias in
            code(alias.name) + (alias.meaning.map { " (\($0))" } ?? "")
        }).joined(separator: ", ")))
        rows.append(("On reload", reloadText(spec.reload)))
        if spec.secret { rows.append(("Secret", "yes: shown as `<redacted>` by `--print-config`")) }
        md += "| | |\n|---|---|\n"
        for (name, value) in rows {
            md += "| \(name) | \(value.replacingPipes()) |\n"
        }
        if !spec.doc.isEmpty { md += "\n\(spec.doc)\n" }
        return md
    }

    static func noFlags(_ spec: SettingSpec) -> [String] {
        CommandLineFlags.longAndShortFlags(of: spec).filter { $0.hasPrefix("--") }.map { "--no-" + $0.dropFirst(2) }
    }

    /// Inline code; an empty default still shows as an empty pair of quotes, never as nothing.
    private static func code(_ text: String) -> String {
        text.contains("`") ? "`` \(text) ``" : "`\(text)`"
    }

    /// GitHub's heading anchors: lower case, spaces to dashes, most punctuation dropped.
    private static func anchor(_ heading: String) -> String {
        String(heading.lowercased().compactMap { c -> Character? in
            if c == " " { return "-" }
            return c.isLetter || c.isNumber || c == "_" || c == "-" ? c : nil
        })
    }
}

private extension String {
    /// A `|` would end a table cell early.
    func replacingPipes() -> String {
        var result = ""
        for c in self {
            if c == "|" { result += "\\|" } else { result.append(c) }
        }
        return result
    }
}
