import ServerCore

/// One application a binary serves: its name (a value of the `app`
/// setting) and how a worker builds it.
public struct ApplicationEntry: Sendable {
    public let name: String
    public let make: @Sendable (ApplicationContext) throws -> Application

    public init(_ name: String, _ make: @escaping @Sendable (ApplicationContext) throws -> Application) {
        self.name = name
        self.make = make
    }
}
