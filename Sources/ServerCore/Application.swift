/// The contract between the server and an application: request in, response
/// out. An application never touches a socket or a process; the worker never
/// looks inside an application's models.
///
/// Synchronous on purpose: `handle` runs on the worker's only thread, one
/// request at a time per process, and may block (a database call).
/// - Isolation is the process: a crash, a leak or a corrupted state takes
///   one worker, which the master replaces; nothing is shared with the others.
/// - No data races: with one thread and one request, an application's state
///   (its database connection, caches) needs no locks and no `Sendable` work.
/// - A stuck request cannot stall the server: the master's `timeout` kills
///   the worker (SIGABRT, then SIGKILL) and starts another.
/// Concurrency is the number of workers; slow clients never hold a handler,
/// since the event loop reads and writes without it.
///
/// In a file that also imports Hummingbird or Vapor, write `Paddock.Application`.
public protocol Application: AnyObject {
    /// Called once in the worker after it started, before it reports ready:
    /// open database connections, prepare statements. Throwing makes the
    /// worker exit with `WorkerExitCode.appLoadFailed`.
    func start() throws
    /// Handles one request.
    func handle(_ request: HTTPRequest) -> HTTPResponse
    /// True when the application can serve (database reachable); backs
    /// `/health/ready` together with the worker's draining state.
    func isReady() -> (ready: Bool, detail: String)
    /// Called between requests when the worker is idle, about once a second:
    /// reconnects, cache expiry.
    func tick()
    /// The route templates responses name in `HTTPResponse.routeTemplate`,
    /// in that order (`/api/users/{id}`): the `route` label of the request
    /// metrics. A router-based application returns `router.templates`.
    var routeTemplates: [String] { get }
}

extension Application {
    public func start() throws {}
    public func isReady() -> (ready: Bool, detail: String) { (true, "ok") }
    public func tick() {}
    public var routeTemplates: [String] { [] }
}
