import Posix
import ServerCore

/// Everything one complete request goes through, in one place: the
/// built-in `/health` and `/health/ready`, the admin routes, else the
/// application; then the request counters and the access log. The event
/// loop only hands it parsed requests and writes what it returns.
///
/// A class, so the loop calls it in place, without copying its references
/// for every request.
final class RequestPipeline {
    let app: Application
    let admin: AdminEndpoints
    /// This worker's scoreboard entry: the request being handled (for the
    /// master's `timeout` and `/status`) and the request counters.
    let me: ScoreboardSlot
    /// The access log, when `accesslog` is set.
    var accessLog: AccessLog?

    /// Liveness of this worker: the same body on the public and the admin
    /// listeners, in every application, without I/O.
    static let healthBody = Array(#"{"status":"healthy"}"#.utf8)
    /// `/health/ready` of a worker that is unready or stopping.
    static let stoppingBody = Array(#"{"status":"unavailable","error":"service_unavailable","message":"server is shutting down"}"#.utf8)
    static let jsonHeaders = HTTPHeaders([("Content-Type", "application/json")])

    init(app: Application, admin: AdminEndpoints, me: ScoreboardSlot, accessLog: AccessLog? = nil) {
        self.app = app
        self.admin = admin
        self.me = me
        self.accessLog = accessLog
    }

    /// Answers `request`, received on an admin listener or not, while the
    /// worker is in `lifecycle`; `start` is when the request was complete,
    /// `headOnly` that it is a HEAD request (no body sent, none logged).
    func respond(to request: HTTPRequest, admin isAdmin: Bool, headOnly: Bool, lifecycle: WorkerLifecycle, start: UInt64) -> HTTPResponse {
        me.requestStart = start
        // The loop is alive even if one batch holds many slow requests.
        me.heartbeat = start
        lifecycle.publish(to: me, handling: true)
        me.setCurrentRequest(method: request.method, path: request.path)
        var response = isAdmin ? adminResponse(request, lifecycle: lifecycle, now: start)
                               : publicResponse(request, lifecycle: lifecycle)
        me.requestStart = 0
        if !isAdmin {
            // The built-in health answers keep their own label; else the
            // template the router matched (an index: no string is built).
            let route = request.path == "/health" || request.path == "/health/ready"
                ? RouteLabels.health : admin.routes.index(ofTemplate: response.routeTemplate)
            me.counters.record(route: route, status: response.status,
                               nanoseconds: Clock.monotonicNanoseconds() - start)
        }
        if let accessLog {
            let id = accessLog.requestID(for: request)
            response.headers.set("X-Request-ID", id)
            accessLog.log(request: request, response: response, requestID: id,
                          durationNanoseconds: Clock.monotonicNanoseconds() - start,
                          bytesSent: headOnly ? 0 : response.body.count)
        } else if let id = AccessLog.incomingRequestID(request) {
            response.headers.set("X-Request-ID", id)
        }
        return response
    }

    @inline(__always)
    static func isRead(_ request: HTTPRequest) -> Bool { request.method == "GET" || request.method == "HEAD" }

    /// The public listeners: the built-in health answers, else the application.
    func publicResponse(_ request: HTTPRequest, lifecycle: WorkerLifecycle) -> HTTPResponse {
        if RequestPipeline.isRead(request) {
            if request.path == "/health" { return RequestPipeline.health() }
            // Ready: the application answers (it may check its database).
            if request.path == "/health/ready" && !lifecycle.mayReportReady { return RequestPipeline.stopping() }
        }
        return app.handle(request)
    }

    /// The admin listener: health, readiness, `/status` and `/metrics` only.
    func adminResponse(_ request: HTTPRequest, lifecycle: WorkerLifecycle, now: UInt64) -> HTTPResponse {
        guard RequestPipeline.isRead(request) else {
            return .json(405, #"{"error":"method_not_allowed","message":"admin endpoints are read-only"}"#, headers: [("Allow", "GET, HEAD")])
        }
        switch request.path {
        case "/health": return RequestPipeline.health()
        case "/health/ready":
            guard lifecycle.mayReportReady else { return RequestPipeline.stopping() }
            let (ok, detail) = app.isReady()
            var w = JSONWriter()
            w.beginObject()
            if ok { w.field("status", "ready") } else { w.field("status", "unavailable"); w.field("error", "service_unavailable"); w.field("message", detail) }
            w.endObject()
            return HTTPResponse(status: ok ? 200 : 503, headers: RequestPipeline.jsonHeaders, body: w.bytes)
        case "/status": return admin.status(now: now)
        case "/metrics": return admin.metrics()
        default: return .json(404, #"{"error":"not_found","message":"admin endpoints: /health, /health/ready, /status, /metrics"}"#)
        }
    }

    static func health() -> HTTPResponse { HTTPResponse(status: 200, headers: jsonHeaders, body: healthBody) }
    static func stopping() -> HTTPResponse { HTTPResponse(status: 503, headers: jsonHeaders, body: stoppingBody) }
}
