extension SettingsDocs {
    /// The sample `server.conf`: every setting commented out, with its summary
    /// above and its default as the value, e.g. `# workers = 2 x usable CPUs + 1`.
    public static func sampleConfig() -> String {
        sampleConfig(specs: Settings.all)
    }

    static func sampleConfig(specs: [SettingSpec]) -> String {
        var text = """
        # Paddock configuration. Generated from the settings table; see docs/settings.md.
        #
        # One "key = value" per line. Lines starting with # are comments; there are
        # no comments at the end of a line, so values may contain #. Every setting
        # below is at its default; uncomment a line to change it. Each can also be
        # set with PADDOCK_<KEY> in the environment or a flag on the command line,
        # which take precedence over this file.

        """
        for section in sections(specs) {
            text += "\n# ---- \(section.name) ----\n"
            for spec in section.specs {
                text += "\n# \(spec.summary)\n"
                text += "# \(spec.key) = \(defaultText(spec))\n"
            }
        }
        return text
    }
}
