/// A configuration that cannot be used. The message names the source
/// (`server.conf:12`, `PADDOCK_WORKERS`, `--workers`), the setting and the
/// value, so the operator can fix it without reading code.
public struct ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String
    public var description: String { message }

    /// `message` should already name the source, key and value.
    public init(_ message: String) {
        self.message = message
    }
}
