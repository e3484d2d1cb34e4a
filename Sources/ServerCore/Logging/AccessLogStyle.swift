/// How access log lines are written.
public enum AccessLogStyle: Sendable, Equatable {
    /// Text in a compiled `access_log_format`.
    case format(AccessLogFormat)
    /// JSON lines with fixed keys (`access_log_json`).
    case json

    /// From `access_log_json` and `access_log_format`.
    public init(configuration: Configuration) throws(ConfigError) {
        if configuration[Settings.accessLogJSON] { self = .json; return }
        do {
            self = .format(try AccessLogFormat(parsing: configuration[Settings.accessLogFormat]))
        } catch {
            throw ConfigError("access_log_format: \(error.message)")
        }
    }
}
