import ServerCore

extension UsersApplication {
    /// Liveness: answers without touching the database.
    func health(_ r: RouteRequest) throws -> HTTPResponse {
        json(200, #"{"status":"healthy"}"#)
    }

    /// Readiness: `SELECT 1` (reconnecting if needed, throttled).
    func healthReady(_ r: RouteRequest) throws -> HTTPResponse {
        if isReady().ready { return json(200, #"{"database":"ok","status":"ready"}"#) }
        var w = JSONWriter()
        w.beginObject()
        w.field("error", "service_unavailable")
        w.field("message", "The database is unavailable")
        w.field("status", "unavailable")
        w.endObject()
        return json(503, w.string)
    }
}
