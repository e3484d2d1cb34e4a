import XCTest
import ServerCore
@testable import Worker

/// The `route` label of `paddock_requests_total` is the template the
/// application's router matched, not a class guessed from the path.
final class RouteLabelMetricsTests: XCTestCase {
    /// Answers like a router would: the template index of the path, or none.
    final class TemplatedApplication: Application {
        let routeTemplates = ["/api/users/{id}", "/api/users/{id}/posts"]
        func handle(_ request: HTTPRequest) -> HTTPResponse {
            let parts = request.path.split(separator: "/")
            var response = HTTPResponse.json(200, "{}")
            switch (parts.count, parts.first) {
            case (3, "api"): response.routeTemplate = 0
            case (4, "api"): response.routeTemplate = 1
            default: response = .json(404, "{}")
            }
            return response
        }
    }

    func testRequestsAreCountedByTheTemplateTheApplicationReportsAndOtherwiseAsOther() throws {
        let (board, fd) = try Scoreboard.create(slots: 1)
        fd.closeAfterFailure()
        board.slot(0).reset(pid: 1, generation: 1, now: 0)
        let app = TemplatedApplication()
        let admin = AdminEndpoints(scoreboard: board, listeners: [], routes: RouteLabels(templates: app.routeTemplates))
        let pipeline = RequestPipeline(app: app, admin: admin, me: board.slot(0))
        for path in ["/api/users/5", "/api/users/7", "/api/users/5/posts", "/no/such/path/at/all", "/health", "/health/ready"] {
            _ = pipeline.respond(to: HTTPRequest(method: "GET", target: path), admin: false, headOnly: false, lifecycle: .serving, start: 1)
        }
        let series = String(decoding: admin.metrics().body, as: UTF8.self).split(separator: "\n")
            .filter { $0.hasPrefix("paddock_requests_total{") }.map(String.init)
        XCTAssertEqual(series.sorted(), [
            #"paddock_requests_total{route="/api/users/{id}",status="200"} 2"#,
            #"paddock_requests_total{route="/api/users/{id}/posts",status="200"} 1"#,
            #"paddock_requests_total{route="health",status="200"} 1"#,
            #"paddock_requests_total{route="health",status="404"} 1"#,
            #"paddock_requests_total{route="other",status="404"} 1"#,
        ])
        XCTAssertFalse(series.contains { $0.contains("/no/such") }, "a raw path never becomes a label")
    }

    func testAnIndexTheTableDoesNotKnowIsShownAsOther() throws {
        let (board, fd) = try Scoreboard.create(slots: 1)
        fd.closeAfterFailure()
        board.slot(0).reset(pid: 1, generation: 1, now: 0)
        // Counted by a worker whose application had more templates.
        board.slot(0).counters.record(route: 9, status: 200, nanoseconds: 1)
        board.slot(0).counters.record(route: RouteLabels.other, status: 200, nanoseconds: 1)
        let admin = AdminEndpoints(scoreboard: board, listeners: [], routes: RouteLabels(templates: ["/a"]))
        let series = String(decoding: admin.metrics().body, as: UTF8.self).split(separator: "\n")
            .filter { $0.hasPrefix("paddock_requests_total{") }.map(String.init)
        XCTAssertEqual(series, [#"paddock_requests_total{route="other",status="200"} 2"#], "one series per label")
    }

    func testLabelsAreEscapedAndTheTableIsBounded() {
        let labels = RouteLabels(templates: [#"/q"uote\"#] + (0..<100).map { "/r\($0)" })
        XCTAssertEqual(labels.labels[2], #"/q\"uote\\"#)
        XCTAssertEqual(labels.labels.count, RequestCounters.routeIndexes)
        XCTAssertEqual(labels.index(ofTemplate: 0), 2)
        XCTAssertEqual(labels.index(ofTemplate: 80), RouteLabels.other, "templates beyond the table's room count as other")
        XCTAssertEqual(labels.index(ofTemplate: nil), RouteLabels.other)
    }
}
