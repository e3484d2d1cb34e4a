extension Settings {
    static let loggingSection = "Logging"

    public static let loglevel = Setting<String>(SettingSpec(
        key: "loglevel", type: .choice(["debug", "info", "warning", "error", "critical"]), default: .string("info"),
        flags: ["--log-level"], section: loggingSection, reload: .live,
        summary: "Least severe level written to the error log."))

    public static let errorlog = Setting<String>(SettingSpec(
        key: "errorlog", type: .string, default: .string("-"),
        flags: ["--error-logfile", "--log-file"], section: loggingSection, reload: .live,
        summary: "Error log file; `-` is standard error (journald under systemd)."))

    static let logging: [SettingSpec] = [loglevel.spec, errorlog.spec]
}
