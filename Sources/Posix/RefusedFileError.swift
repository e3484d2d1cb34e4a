/// A file Paddock will not open, write or hand to another user: a symbolic
/// link where a file was expected, a file with other hard links, a device
/// where a regular file was expected. Raised where a process with more
/// privileges than the owner of the directory (root, for the service user)
/// would otherwise act on whatever that owner planted there.
public struct RefusedFileError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "refusing \(path): \(reason)" }
}
