import Paddock
import PaddockSQL

/// An error the API answers with `{"error": code, "message": message}`.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public let status: Int
    public let code: String
    public let message: String
    /// Extra response headers (`Allow` on 405).
    public var headers: [(String, String)] = []

    public init(_ status: Int, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public static func badRequest(_ message: String) -> APIError { APIError(400, "bad_request", message) }
    public static func unauthorized(_ message: String) -> APIError { APIError(401, "unauthorized", message) }
    public static func forbidden(_ message: String) -> APIError { APIError(403, "forbidden", message) }
    public static func notFound(_ message: String) -> APIError { APIError(404, "not_found", message) }
    public static func conflict(_ message: String) -> APIError { APIError(409, "conflict", message) }
    public static func internalError() -> APIError { APIError(500, "internal_error", "An unexpected error occurred") }
    public static func unavailable(_ message: String) -> APIError { APIError(503, "service_unavailable", message) }

    public var description: String { "\(status) \(code): \(message)" }

    /// The JSON response.
    public var response: HTTPResponse {
        var w = JSONWriter(capacity: 96)
        w.beginObject()
        w.field("error", code)
        w.field("message", message)
        w.endObject()
        return HTTPResponse.json(status, w.string, headers: headers)
    }
}
