import ServerCore

/// A path pattern: literal segments, `{name}` parameters (any non-empty
/// segment, still percent-encoded) and `{name:int}` integer parameters, like
/// Flask's `<int:name>` (digits only; anything else does not match).
public struct PathPattern: Sendable {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case text(String)
        case integer(String)
    }

    let segments: [Segment]

    /// `"/api/users/{id:int}/posts"`, `"/files/{name}"`.
    public init(_ pattern: String) {
        segments = pattern.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { part in
            guard part.hasPrefix("{") && part.hasSuffix("}") else { return .literal(String(part)) }
            let inner = part.dropFirst().dropLast()
            if inner.hasSuffix(":int") { return .integer(String(inner.dropLast(4))) }
            return .text(String(inner))
        }
    }

    /// The parameters, or nil when `path` does not match.
    func match(_ path: [Substring]) -> PathParameters? {
        guard path.count == segments.count else { return nil }
        var parameters = PathParameters()
        for (segment, part) in zip(segments, path) {
            switch segment {
            case .literal(let l):
                guard part == l else { return nil }
            case .text(let name):
                guard !part.isEmpty else { return nil }
                parameters.append(name, String(part), integer: nil)
            case .integer(let name):
                guard !part.isEmpty, part.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let v = Int(part) else { return nil }
                parameters.append(name, String(part), integer: v)
            }
        }
        return parameters
    }
}

/// One row of the route table: method, pattern, handler.
public struct Route<Handler> {
    public let method: String
    public let pattern: PathPattern
    public let handler: Handler

    public init(_ method: String, _ pattern: String, _ handler: Handler) {
        self.method = method
        self.pattern = PathPattern(pattern)
        self.handler = handler
    }
}

/// Finds the route for a method and path, in table order. `Handler` is
/// whatever a route table holds; `ApplicationRouter<App>` holds an
/// application's methods, as `respond(to:for:)` calls them.
public struct Router<Handler> {
    public enum Resolution {
        case matched(Handler, parameters: PathParameters)
        /// The path exists under other methods (answer 405 with `Allow`).
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    public let routes: [Route<Handler>]

    public init(_ routes: [Route<Handler>]) { self.routes = routes }

    /// HEAD is served by the GET route, as in HTTP (RFC 9110 9.3.2).
    public func resolve(method: String, path: String) -> Resolution {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        let lookup = method == "HEAD" ? "GET" : method
        var allowed: [String] = []
        for route in routes {
            guard let parameters = route.pattern.match(Array(parts)) else { continue }
            if route.method == lookup { return .matched(route.handler, parameters: parameters) }
            allowed.append(route.method)
        }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
    }

    /// The methods a path answers to, for `Allow` (nil: no such path).
    public func allowedMethods(path: String) -> [String]? {
        if case .methodNotAllowed(let allowed) = resolve(method: "", path: path) { return allowed }
        return nil
    }
}

extension Array where Element == String {
    /// The `Allow` header value: the route methods, HEAD with GET, and OPTIONS.
    public var allowHeader: String {
        var methods = self
        if methods.contains("GET") { methods.append("HEAD") }
        methods.append("OPTIONS")
        return methods.joined(separator: ", ")
    }
}
