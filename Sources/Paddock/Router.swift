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
    /// The pattern with parameter names only (`/api/users/{id}/posts`): the
    /// `route` label of its requests in the metrics.
    public let template: String

    /// `"/api/users/{id:int}/posts"`, `"/files/{name}"`.
    public init(_ pattern: String) {
        let segments: [Segment] = pattern.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { part in
            guard part.hasPrefix("{") && part.hasSuffix("}") else { return .literal(String(part)) }
            let inner = part.dropFirst().dropLast()
            if inner.hasSuffix(":int") { return .integer(String(inner.dropLast(4))) }
            return .text(String(inner))
        }
        self.segments = segments
        template = "/" + segments.map { segment in
            switch segment {
            case .literal(let l): return l
            case .text(let name), .integer(let name): return "{" + name + "}"
            }
        }.joined(separator: "/")
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
    /// Each distinct `PathPattern.template`, in table order: what an
    /// application returns as its `routeTemplates`.
    public let templates: [String]
    /// For each route, the index of its template in `templates`.
    let templateOfRoute: [Int]

    public init(_ routes: [Route<Handler>]) {
        self.routes = routes
        var templates: [String] = []
        templateOfRoute = routes.map { route in
            if let i = templates.firstIndex(of: route.pattern.template) { return i }
            templates.append(route.pattern.template)
            return templates.count - 1
        }
        self.templates = templates
    }

    /// HEAD is served by the GET route, as in HTTP (RFC 9110 9.3.2).
    public func resolve(method: String, path: String) -> Resolution {
        switch find(method: method, path: path) {
        case .matched(let route, let parameters): return .matched(routes[route].handler, parameters: parameters)
        case .methodNotAllowed(let allowed, _): return .methodNotAllowed(allowed: allowed)
        case .notFound: return .notFound
        }
    }

    /// `resolve`, and the index in `templates` of the pattern the path
    /// matched (under any method; nil for none): set it as the response's
    /// `routeTemplate` when answering without `respond(to:for:)`.
    public func resolveWithTemplate(method: String, path: String) -> (resolution: Resolution, template: Int?) {
        switch find(method: method, path: path) {
        case .matched(let route, let parameters):
            return (.matched(routes[route].handler, parameters: parameters), templateOfRoute[route])
        case .methodNotAllowed(let allowed, let template): return (.methodNotAllowed(allowed: allowed), template)
        case .notFound: return (.notFound, nil)
        }
    }

    /// `resolve`, by route number: the router also tells which template answered.
    enum Found {
        case matched(route: Int, parameters: PathParameters)
        case methodNotAllowed(allowed: [String], template: Int)
        case notFound
    }

    func find(method: String, path: String) -> Found {
        let parts = Array(path.split(separator: "/", omittingEmptySubsequences: false).dropFirst())
        let lookup = method == "HEAD" ? "GET" : method
        var allowed: [String] = []
        var template = 0
        for (i, route) in routes.enumerated() {
            guard let parameters = route.pattern.match(parts) else { continue }
            if route.method == lookup { return .matched(route: i, parameters: parameters) }
            if allowed.isEmpty { template = templateOfRoute[i] }
            allowed.append(route.method)
        }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed, template: template)
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
