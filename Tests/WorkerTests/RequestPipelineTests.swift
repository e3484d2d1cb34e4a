import XCTest
import ServerCore
@testable import Worker

/// What answers a request: the built-in health answers, the admin routes,
/// else the application; counters for public requests only.
final class RequestPipelineTests: XCTestCase {
    final class StubApplication: Application {
        var handled: [String] = []
        var ready = (ready: true, detail: "ok")
        func handle(_ request: HTTPRequest) -> HTTPResponse {
            handled.append("\(request.method) \(request.path)")
            return .json(request.path == "/health/ready" ? 200 : 404, #"{"from":"app"}"#)
        }
        func isReady() -> (ready: Bool, detail: String) { ready }
    }

    var scoreboard: Scoreboard!
    var app: StubApplication!
    var pipeline: RequestPipeline!

    override func setUpWithError() throws {
        let (board, fd) = try Scoreboard.create(slots: 2)
        fd.closeAfterFailure()
        scoreboard = board
        scoreboard.slot(0).reset(pid: 1, generation: 1, now: 0)
        app = StubApplication()
        pipeline = RequestPipeline(app: app, admin: AdminEndpoints(scoreboard: scoreboard, listeners: []), me: scoreboard.slot(0))
    }

    func respond(_ method: String, _ path: String, admin: Bool = false, lifecycle: WorkerLifecycle = .serving) -> HTTPResponse {
        pipeline.respond(to: HTTPRequest(method: method, target: path), admin: admin, headOnly: method == "HEAD",
                         lifecycle: lifecycle, start: 1)
    }

    func text(_ r: HTTPResponse) -> String { String(decoding: r.body, as: UTF8.self) }

    func testHealthHasOneBodyOnEveryListenerAndInEveryState() {
        let expected = #"{"status":"healthy"}"#
        for admin in [false, true] {
            for state in [WorkerLifecycle.serving, .unready, .draining(since: 0), .quitting(deadline: 9)] {
                for method in ["GET", "HEAD"] {
                    let r = respond(method, "/health", admin: admin, lifecycle: state)
                    XCTAssertEqual(r.status, 200, "\(method) admin=\(admin) \(state)")
                    XCTAssertEqual(text(r), expected, "\(method) admin=\(admin) \(state)")
                    XCTAssertEqual(r.headers.fields.first?.value, "application/json")
                }
            }
        }
        XCTAssertEqual(app.handled, [], "the application is never asked for /health")
    }

    func testReadyIsTheApplicationsWhileServingAnd503OtherwiseOnBothListeners() {
        XCTAssertEqual(text(respond("GET", "/health/ready")), #"{"from":"app"}"#)
        XCTAssertEqual(app.handled, ["GET /health/ready"])
        XCTAssertEqual(respond("GET", "/health/ready", admin: true).status, 200)
        for state in [WorkerLifecycle.unready, .draining(since: 0), .quitting(deadline: 9)] {
            for admin in [false, true] {
                let r = respond("GET", "/health/ready", admin: admin, lifecycle: state)
                XCTAssertEqual(r.status, 503, "admin=\(admin) \(state)")
                XCTAssertTrue(text(r).contains("server is shutting down"), text(r))
            }
        }
        XCTAssertEqual(app.handled, ["GET /health/ready"], "a stopping worker answers for the application")
        app.ready = (false, "database down")
        let down = respond("GET", "/health/ready", admin: true)
        XCTAssertEqual(down.status, 503)
        XCTAssertTrue(text(down).contains("database down"))
    }

    func testTheAdminListenerAnswersOnlyItsRoutesAndOnlyReads() {
        XCTAssertEqual(respond("POST", "/health", admin: true).status, 405)
        XCTAssertEqual(respond("GET", "/anything", admin: true).status, 404)
        XCTAssertEqual(respond("GET", "/status", admin: true).status, 200)
        XCTAssertEqual(respond("GET", "/metrics", admin: true).status, 200)
        XCTAssertEqual(app.handled, [])
        // And the public side never answers the admin routes itself.
        XCTAssertEqual(respond("GET", "/metrics").status, 404)
        XCTAssertEqual(respond("POST", "/health").status, 404, "only reads of /health are built in")
        XCTAssertEqual(app.handled, ["GET /metrics", "POST /health"])
    }

    func testPublicRequestsAreCountedAndAdminOnesAreNot() {
        let counters = scoreboard.slot(0).counters
        _ = respond("GET", "/health")
        _ = respond("GET", "/nope")
        _ = respond("GET", "/metrics", admin: true)
        XCTAssertEqual(counters.total, 2)
        var counted: [String] = []
        counters.forEachCode { route, code, n in counted.append("\(route) \(code) \(n)") }
        XCTAssertEqual(counted, ["\(RouteLabels.health) 200 1", "\(RouteLabels.other) 404 1"])
        XCTAssertEqual(scoreboard.slot(0).requestStart, 0, "no request in the application once answered")
        XCTAssertEqual(scoreboard.slot(0).currentRequest, "GET /metrics")
    }

    func testAnIncomingRequestIDIsEchoedWithoutAnAccessLog() {
        let request = HTTPRequest(method: "GET", target: "/health", headers: [("X-Request-ID", "abc-123")])
        let r = pipeline.respond(to: request, admin: false, headOnly: false, lifecycle: .serving, start: 1)
        XCTAssertTrue(r.headers.fields.contains { $0.name == "X-Request-ID" && $0.value == "abc-123" })
    }

    func testTheScoreboardSaysHandlingWhileServingAndDrainingWhileStopping() {
        final class Probe: Application {
            var seen: [WorkerActivity] = []
            let entry: ScoreboardSlot
            init(entry: ScoreboardSlot) { self.entry = entry }
            func handle(_ request: HTTPRequest) -> HTTPResponse { seen.append(entry.state); return .json(200, "{}") }
        }
        let probe = Probe(entry: scoreboard.slot(0))
        let p = RequestPipeline(app: probe, admin: AdminEndpoints(scoreboard: scoreboard, listeners: []), me: scoreboard.slot(0))
        _ = p.respond(to: HTTPRequest(method: "GET", target: "/echo"), admin: false, headOnly: false, lifecycle: .serving, start: 1)
        _ = p.respond(to: HTTPRequest(method: "GET", target: "/echo"), admin: false, headOnly: false, lifecycle: .draining(since: 0), start: 1)
        XCTAssertEqual(probe.seen, [.handling, .draining], "peers never count a draining worker as serving")
    }
}
