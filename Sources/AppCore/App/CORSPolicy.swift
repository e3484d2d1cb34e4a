import Paddock
import PaddockSQL

/// `cors_origins`: which browser origins may call the API, and the headers
/// that say so.
public struct CORSPolicy: Sendable {
    public let origins: Set<String>
    public let allowsAnyOrigin: Bool
    static let allowedMethods = "GET, POST, PUT, DELETE, OPTIONS"
    static let defaultAllowedHeaders = "Authorization, Content-Type"
    /// How long a browser may cache a preflight answer, in seconds.
    static let maxAge = "600"

    public init(origins: [String]) {
        self.origins = Set(origins.filter { $0 != "*" })
        allowsAnyOrigin = origins.contains("*")
    }

    public var isEnabled: Bool { allowsAnyOrigin || !origins.isEmpty }

    /// The `Access-Control-Allow-Origin` value for a request's `Origin`, or nil.
    public func allowedOrigin(_ origin: String?) -> String? {
        guard let origin, !origin.isEmpty else { return nil }
        if origins.contains(origin) { return origin }
        return allowsAnyOrigin ? "*" : nil
    }

    /// Whether `request` is a CORS preflight from an allowed origin.
    public func isPreflight(_ request: HTTPRequest) -> Bool {
        request.method == "OPTIONS" && request.headers["Access-Control-Request-Method"] != nil
            && allowedOrigin(request.headers["Origin"]) != nil
    }

    /// The 204 answer to a preflight.
    public func preflightResponse(_ request: HTTPRequest) -> HTTPResponse {
        var h = HTTPHeaders()
        h.add("Access-Control-Allow-Origin", allowedOrigin(request.headers["Origin"]) ?? "")
        h.add("Access-Control-Allow-Methods", Self.allowedMethods)
        h.add("Access-Control-Allow-Headers", request.headers["Access-Control-Request-Headers"] ?? Self.defaultAllowedHeaders)
        h.add("Access-Control-Max-Age", Self.maxAge)
        h.add("Vary", "Origin")
        return HTTPResponse(status: 204, headers: h)
    }

    /// Adds `Access-Control-Allow-Origin` and `Vary: Origin` for an allowed origin.
    public func decorate(_ response: inout HTTPResponse, origin: String?) {
        guard isEnabled else { return }
        // The answer depends on Origin whenever CORS is on, allowed or not,
        // so caches must key on it either way.
        if response.headers["Vary"] == nil { response.headers.add("Vary", "Origin") }
        guard response.headers["Access-Control-Allow-Origin"] == nil, let allowed = allowedOrigin(origin) else { return }
        response.headers.add("Access-Control-Allow-Origin", allowed)
    }
}
