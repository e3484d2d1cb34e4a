import ServerCore

/// The parameters a route's pattern took from the path, in pattern order.
public struct PathParameters: Sendable, Equatable {
    public private(set) var names: [String] = []
    /// The segments as they were in the path (still percent-encoded).
    public private(set) var values: [String] = []
    /// The `{name:int}` parameters, in order.
    public private(set) var integers: [Int] = []

    public init() {}

    mutating func append(_ name: String, _ value: String, integer: Int?) {
        names.append(name)
        values.append(value)
        if let integer { integers.append(integer) }
    }

    /// The segment named `name`, percent-decoded; nil when the pattern has no such parameter.
    public subscript(_ name: String) -> String? {
        names.firstIndex(of: name).map { URLEncoding.decode(Substring(values[$0]), plusAsSpace: false) }
    }

    /// The value of `{name:int}` (or of a `{name}` that holds digits).
    public func int(_ name: String) -> Int? {
        names.firstIndex(of: name).flatMap { Int(values[$0]) }
    }
}
