import Paddock
import XCTest

/// `Router.respond(to:for:)` over an application's methods: string and
/// integer path parameters, 404, 405 with `Allow`, OPTIONS and failures.
final class ApplicationRouterTests: XCTestCase {
    final class Shop: Application {
        struct Broken: Error {}
        let router: ApplicationRouter<Shop> = Router([
            Route("GET", "/shops/{shop}/items/{id:int}", Shop.item),
            Route("PUT", "/shops/{shop}/items/{id:int}", Shop.item),
            Route("GET", "/broken", Shop.broken),
        ])

        func handle(_ request: HTTPRequest) -> HTTPResponse { router.respond(to: request, for: self) }

        func item(_ r: RoutedRequest) throws -> HTTPResponse {
            .json(200, #"{"shop":"\#(r.parameters["shop"] ?? "")","id":\#(r.parameters.int("id") ?? -1)}"#)
        }

        func broken(_ r: RoutedRequest) throws -> HTTPResponse { throw Broken() }
    }

    let shop = Shop()

    func answer(_ method: String, _ target: String) -> HTTPResponse {
        shop.handle(HTTPRequest(method: method, target: target))
    }

    func testPathParametersAreDecodedAndTyped() {
        let r = answer("GET", "/shops/caf%C3%A9/items/7")
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(String(decoding: r.body, as: UTF8.self), #"{"shop":"café","id":7}"#)
        XCTAssertEqual(answer("HEAD", "/shops/a/items/7").status, 200, "HEAD is served by GET")
    }

    func testUnknownPathsAndNonIntegersAre404() {
        for target in ["/shops/a/items/x", "/shops//items/1", "/shops/a/items", "/nope", "/shops/a/items/1/"] {
            XCTAssertEqual(answer("GET", target).status, 404, target)
        }
    }

    func testWrongMethodIs405WithAllow() {
        let r = answer("DELETE", "/shops/a/items/1")
        XCTAssertEqual(r.status, 405)
        XCTAssertEqual(r.headers["Allow"], "GET, PUT, HEAD, OPTIONS")
        let options = answer("OPTIONS", "/shops/a/items/1")
        XCTAssertEqual(options.status, 204)
        XCTAssertEqual(options.headers["Allow"], "GET, PUT, HEAD, OPTIONS")
        XCTAssertEqual(answer("OPTIONS", "/nope").status, 404)
    }

    func testAHandlersErrorIsA500ThatSaysNothingOfIt() {
        let r = answer("GET", "/broken")
        XCTAssertEqual(r.status, 500)
        XCTAssertFalse(String(decoding: r.body, as: UTF8.self).contains("Broken"))
    }

    func testModuleQualifiedNamesResolve() {
        // What a file that also imports swift-http-types or swift-log writes.
        let request: Paddock.HTTPRequest = Paddock.HTTPRequest(method: "GET", target: "/shops/a/items/1")
        let response: Paddock.HTTPResponse = shop.handle(request)
        XCTAssertEqual(response.status, 200)
        let _: Paddock.Logger.Type = Paddock.Logger.self
        let _: any Paddock.Application = shop
    }
}
