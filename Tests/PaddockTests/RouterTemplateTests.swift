import Paddock
import XCTest

/// The router names the template that answered, for the metrics' `route`
/// label: one template per distinct pattern, parameters by name only.
final class RouterTemplateTests: XCTestCase {
    final class Users: Application {
        struct Broken: Error {}
        let router: ApplicationRouter<Users> = Router([
            Route("GET", "/api/users/{id:int}", Users.ok),
            Route("PUT", "/api/users/{id:int}", Users.ok),
            Route("GET", "/api/users/{id:int}/posts", Users.ok),
            Route("GET", "/files/{name}", Users.broken),
        ])
        var routeTemplates: [String] { router.templates }
        func handle(_ request: HTTPRequest) -> HTTPResponse { router.respond(to: request, for: self) }
        func ok(_ r: RoutedRequest) throws -> HTTPResponse { .json(200, "{}") }
        func broken(_ r: RoutedRequest) throws -> HTTPResponse { throw Broken() }
    }

    let app = Users()

    func template(_ method: String, _ target: String) -> String? {
        app.handle(HTTPRequest(method: method, target: target)).routeTemplate.map { app.routeTemplates[$0] }
    }

    func testTemplatesAreDistinctPatternsWithParameterNamesOnly() {
        XCTAssertEqual(app.routeTemplates, ["/api/users/{id}", "/api/users/{id}/posts", "/files/{name}"])
    }

    func testEachResponseNamesItsTemplateAndUnmatchedOnesNone() {
        XCTAssertEqual(template("GET", "/api/users/5"), "/api/users/{id}")
        XCTAssertEqual(template("PUT", "/api/users/7"), "/api/users/{id}")
        XCTAssertEqual(template("GET", "/api/users/5/posts"), "/api/users/{id}/posts")
        XCTAssertEqual(template("GET", "/files/a.txt"), "/files/{name}", "a failing handler's 500 still names its route")
        XCTAssertEqual(template("DELETE", "/api/users/5"), "/api/users/{id}", "a 405 is for a known template")
        XCTAssertNil(template("GET", "/api/users/x"))
        XCTAssertNil(template("GET", "/nowhere"))
    }
}

extension RouterTemplateTests {
    func testResolvingByHandNamesTheTemplateToo() {
        let found = app.router.resolveWithTemplate(method: "GET", path: "/api/users/5/posts")
        XCTAssertEqual(found.template, 1)
        guard case .matched = found.resolution else { return XCTFail("\(found.resolution)") }
        XCTAssertEqual(app.router.resolveWithTemplate(method: "POST", path: "/api/users/5").template, 0)
        XCTAssertNil(app.router.resolveWithTemplate(method: "GET", path: "/api").template)
    }
}
