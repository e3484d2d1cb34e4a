/// The contract between the server and an application: request in, response
/// out. An application never touches a socket or a process; the worker never
/// looks inside an application's models.
///
/// `handle` runs synchronously on the worker's only thread, one request at a
/// time; it may block (a database call). The master's `timeout` bounds it.
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
}

extension Application {
    public func start() throws {}
    public func isReady() -> (ready: Bool, detail: String) { (true, "ok") }
    public func tick() {}
}
