import Paddock
import PaddockSQL

extension UsersApplication {
    /// Liveness: answers without touching the database.
    func health(_ r: RouteRequest) throws -> HTTPResponse {
        json(200, #"{"status":"healthy"}"#)
    }

    /// Readiness: the schema checked and `SELECT 1` (reconnecting if needed, throttled).
    func healthReady(_ r: RouteRequest) throws -> HTTPResponse {
        let (ready, detail) = isReady()
        if ready { return json(200, #"{"database":"ok","status":"ready"}"#) }
        var w = JSONWriter()
        w.beginObject()
        w.field("error", "service_unavailable")
        w.field("message", detail)
        w.field("status", "unavailable")
        w.endObject()
        return json(503, w.string)
    }
}
