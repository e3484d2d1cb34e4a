import XCTest
@testable import AppCore
@testable import PaddockSQL

extension APIContractSuite {
    func checkUnknownRoutesAre404JSON() {
        for (method, path) in [("GET", "/"), ("GET", "/nope"), ("GET", "/api/users/"), ("POST", "/api/users/1/posts/2"), ("GET", "/api/postsx")] {
            assertError(app.send(method, path), 404, "not_found")
        }
    }

    func checkWrongMethodIs405WithAllow() {
        let r = app.send("DELETE", "/api/users")
        assertError(r, 405, "method_not_allowed")
        XCTAssertEqual(r.headers["Allow"], "GET, HEAD, OPTIONS")
        let p = app.send("PATCH", "/api/posts/1")
        assertError(p, 405, "method_not_allowed")
        XCTAssertEqual(p.headers["Allow"], "GET, PUT, DELETE, HEAD, OPTIONS")
        XCTAssertEqual(app.send("GET", "/auth/login").headers["Allow"], "POST, OPTIONS")
    }

    func checkOptionsWithoutCORSListsMethods() {
        let r = app.send("OPTIONS", "/api/posts")
        XCTAssertEqual(r.status, 204)
        XCTAssertEqual(r.headers["Allow"], "POST, OPTIONS")
        XCTAssertNil(r.headers["Access-Control-Allow-Origin"])
        assertError(app.send("OPTIONS", "/nope"), 404, "not_found")
    }

    func checkHeadIsServedLikeGet() {
        XCTAssertEqual(app.send("HEAD", "/health").status, 200)
    }

    func checkUnexpectedFailureIs500WithoutDetailsAndLogged() throws {
        let id = register()
        // Break the schema under the application's feet (the count first:
        // without it, the list of an author with no posts reads no table).
        try app.db.executeScript("DROP TABLE post_counts")
        try app.db.executeScript("DROP TABLE posts")
        let r = app.send("GET", "/api/users/\(id)/posts")
        assertError(r, 500, "internal_error")
        XCTAssertFalse(r.text.contains("posts\""), r.text)
        XCTAssertFalse(r.text.lowercased().contains("sql"), r.text)
        XCTAssertTrue(log.contains("GET /api/users/\(id)/posts failed"), log)
        XCTAssertTrue(log.contains("page_of_posts_of_user") || log.contains("count_posts_of_user"), log)
        // Other routes still work.
        XCTAssertEqual(app.send("GET", "/api/users/\(id)").status, 200)
    }
}
