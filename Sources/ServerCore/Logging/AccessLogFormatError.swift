/// Why an access log format string does not compile; `message` names the
/// offending piece and where it is.
public struct AccessLogFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }

    public init(_ message: String) { self.message = message }
}
