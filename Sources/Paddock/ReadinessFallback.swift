import ServerCore

/// Wraps an application so that `/health/ready` is answered on the public
/// listeners whether or not the application routes it: an application that
/// answers it (404 aside) keeps its own answer; for one that does not, the
/// answer comes from its `isReady()`, in the admin listener's format. The
/// worker itself answers `/health`, and 503 on `/health/ready` while draining.
final class ReadinessFallback: Application {
    let wrapped: Application

    init(_ wrapped: Application) { self.wrapped = wrapped }

    func start() throws { try wrapped.start() }
    func isReady() -> (ready: Bool, detail: String) { wrapped.isReady() }
    func tick() { wrapped.tick() }
    var routeTemplates: [String] { wrapped.routeTemplates }

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        let response = wrapped.handle(request)
        guard response.status == 404, request.path == "/health/ready", request.method == "GET" || request.method == "HEAD" else {
            return response
        }
        let (ok, detail) = wrapped.isReady()
        var w = JSONWriter()
        w.beginObject()
        if ok { w.field("status", "ready") } else { w.field("status", "unavailable"); w.field("error", "service_unavailable"); w.field("message", detail) }
        w.endObject()
        return .json(ok ? 200 : 503, w.string)
    }
}
