import Paddock
import PaddockSQL

/// A setting the application cannot work with (checked when a worker builds
/// the application, so a bad value fails loudly instead of at first use).
public struct SettingError: Error, CustomStringConvertible {
    public let key: String
    public let message: String

    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { "\(key): \(message)" }
}
