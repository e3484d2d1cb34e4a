/// How the error log writes a record (the `log_format` setting).
public enum LogFormat: String, Sendable, CaseIterable {
    /// `2026-01-02T03:04:05.678Z info pid=123 slot=0 message`, for people and journald.
    case text
    /// One JSON object per line, for collectors that parse JSON without a pattern.
    case json

    /// The format named by `log_format`; nil for any other word.
    public init?(name: String) { self.init(rawValue: name.lowercased()) }
}
