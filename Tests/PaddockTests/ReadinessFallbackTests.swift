@testable import Paddock
import XCTest

/// `/health/ready` on the public listeners: the application's own answer
/// when it has one, else one made from its `isReady()`.
final class ReadinessFallbackTests: XCTestCase {
    final class Bare: Application {
        var ready = true
        func handle(_ request: HTTPRequest) -> HTTPResponse { .json(404, #"{"error":"not_found"}"#) }
        func isReady() -> (ready: Bool, detail: String) { (ready, "warming up") }
    }

    final class Own: Application {
        func handle(_ request: HTTPRequest) -> HTTPResponse { .json(404, #"{"mine":true}"#) }
    }

    func testAnApplicationWithoutReadinessGetsOneFromIsReady() {
        let bare = Bare()
        let app = ReadinessFallback(bare)
        XCTAssertEqual(app.handle(HTTPRequest(method: "GET", target: "/health/ready")).status, 200)
        bare.ready = false
        let down = app.handle(HTTPRequest(method: "GET", target: "/health/ready"))
        XCTAssertEqual(down.status, 503)
        XCTAssertTrue(String(decoding: down.body, as: UTF8.self).contains("warming up"))
        XCTAssertEqual(app.handle(HTTPRequest(method: "POST", target: "/health/ready")).status, 404)
        XCTAssertEqual(app.handle(HTTPRequest(method: "GET", target: "/other")).status, 404)
    }

    func testOtherAnswersPassThrough() {
        let app = ReadinessFallback(EchoApplication())
        let r = app.handle(HTTPRequest(method: "GET", target: "/health/ready"))
        XCTAssertEqual(String(decoding: r.body, as: UTF8.self), #"{"status":"ready"}"#)
        XCTAssertEqual(ReadinessFallback(Own()).handle(HTTPRequest(method: "GET", target: "/x")).body, Array(#"{"mine":true}"#.utf8))
    }
}
