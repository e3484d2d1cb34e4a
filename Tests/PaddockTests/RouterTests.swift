import XCTest
import Paddock

final class RouterTests: XCTestCase {
    let router = Router<String>([
        Route("GET", "/api/users", "list"),
        Route("GET", "/api/users/{id:int}", "get"),
        Route("PUT", "/api/users/{id:int}", "put"),
        Route("GET", "/api/users/{id:int}/posts", "posts"),
    ])

    func testMatchesLiteralAndIntegerSegments() {
        guard case .matched(let h, let p) = router.resolve(method: "GET", path: "/api/users/42/posts") else { return XCTFail() }
        XCTAssertEqual(h, "posts")
        XCTAssertEqual(p.integers, [42])
        guard case .matched(let h2, let p2) = router.resolve(method: "HEAD", path: "/api/users") else { return XCTFail() }
        XCTAssertEqual(h2, "list")
        XCTAssertEqual(p2.integers, [])
    }

    func testNonIntegersAndExtraSlashesDoNotMatch() {
        for path in ["/api/users/x", "/api/users/-1", "/api/users/+1", "/api/users/", "/api/users/1/", "/api//users",
                     "/api/users/99999999999999999999999", "api/users", ""] {
            guard case .notFound = router.resolve(method: "GET", path: path) else { return XCTFail(path) }
        }
    }

    func testWrongMethodListsAllowed() {
        guard case .methodNotAllowed(let allowed) = router.resolve(method: "DELETE", path: "/api/users/1") else { return XCTFail() }
        XCTAssertEqual(allowed, ["GET", "PUT"])
        XCTAssertEqual(allowed.allowHeader, "GET, PUT, HEAD, OPTIONS")
        XCTAssertNil(router.allowedMethods(path: "/nope"))
    }
}
