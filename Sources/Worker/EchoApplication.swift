import Posix
import ServerCore

/// `app = echo`: answers any method on `/echo` with what it received, as
/// JSON, for testing proxies, load balancers and the server itself without a
/// database. `?sleep_ms=N` holds the handler N milliseconds (capped at 10
/// minutes) to simulate a slow request.
public final class EchoApplication: Application {
    static let maxSleepMs = 600_000

    public init() {}

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        if request.path == "/health/ready" {
            // No database: ready whenever the worker serves (the worker answers 503 while draining).
            return .json(200, #"{"status":"ready"}"#)
        }
        guard request.path == "/echo" else {
            return .json(404, #"{"error":"not_found","message":"no such route"}"#)
        }
        if let sleep = request.queryValue("sleep_ms"), let ms = Int(sleep), ms > 0 {
            Clock.sleep(milliseconds: min(ms, EchoApplication.maxSleepMs))
        }
        var w = JSONWriter(capacity: 512)
        w.beginObject()
        w.field("method", request.method)
        w.field("path", request.path)
        w.field("query", request.query)
        w.key("headers")
        w.beginObject()
        // Repeated fields are combined with ", " (RFC 9110 5.3), in arrival order.
        var order: [String] = []
        var combined: [String: String] = [:]
        for f in request.headers.fields {
            let name = f.name.lowercased()
            if let v = combined[name] { combined[name] = v + ", " + f.value } else { order.append(name); combined[name] = f.value }
        }
        for name in order { w.field(name, combined[name]!) }
        w.endObject()
        w.field("body_length", request.body.count)
        w.field("body_sha256", Digest.hex(Digest.sha256(request.body)))
        w.endObject()
        return HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "application/json")]), body: w.bytes)
    }
}
