import ServerCore

/// A route table of an application's methods: `Route("GET", "/hello/{name}", Hello.greet)`
/// where `func greet(_ r: RoutedRequest) throws -> HTTPResponse`.
public typealias ApplicationRouter<App> = Router<(App) -> (RoutedRequest) throws -> HTTPResponse>

extension Router {
    /// Answers `request` for `app`: the matched route's response; 404 for an
    /// unknown path; 405 with `Allow` for a known path under another method;
    /// 204 with `Allow` for `OPTIONS`. The response names the template that
    /// matched (`routeTemplate`), for the metrics. A handler's error becomes
    /// `failure(error, request)`, by default a 500 that says nothing of the
    /// error (log it in `failure` to keep it).
    public func respond<App>(to request: HTTPRequest, for app: App,
                             failure: (Error, HTTPRequest) -> HTTPResponse = { _, _ in RouterAnswers.internalError })
        -> HTTPResponse where Handler == (App) -> (RoutedRequest) throws -> HTTPResponse {
        if request.method == "OPTIONS" {
            guard let allowed = allowedMethods(path: request.path) else { return RouterAnswers.notFound }
            return HTTPResponse(status: 204, headers: HTTPHeaders([("Allow", allowed.allowHeader)]))
        }
        switch find(method: request.method, path: request.path) {
        case .notFound:
            return RouterAnswers.notFound
        case .methodNotAllowed(let allowed, let template):
            var response = HTTPResponse.json(405, #"{"error":"method_not_allowed"}"#, headers: [("Allow", allowed.allowHeader)])
            response.routeTemplate = template
            return response
        case .matched(let route, let parameters):
            var response: HTTPResponse
            do {
                response = try routes[route].handler(app)(RoutedRequest(request: request, parameters: parameters))
            } catch {
                response = failure(error, request)
            }
            response.routeTemplate = templateOfRoute[route]
            return response
        }
    }
}

/// The router's own answers, as JSON.
public enum RouterAnswers {
    public static let notFound = HTTPResponse.json(404, #"{"error":"not_found"}"#)
    public static let internalError = HTTPResponse.json(500, #"{"error":"internal_error"}"#)
}
