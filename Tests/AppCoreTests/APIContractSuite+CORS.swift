import XCTest
@testable import AppCore
@testable import PaddockSQL

extension APIContractSuite {
    func checkCORSPreflightAndResponses() throws {
        app = try makeApplication(corsOrigins: ["https://app.example.com"])
        try resetDatabase()
        let pre = app.send("OPTIONS", "/api/posts", headers: [("Origin", "https://app.example.com"),
                                                              ("Access-Control-Request-Method", "POST"),
                                                              ("Access-Control-Request-Headers", "authorization, content-type")])
        XCTAssertEqual(pre.status, 204)
        XCTAssertEqual(pre.headers["Access-Control-Allow-Origin"], "https://app.example.com")
        XCTAssertEqual(pre.headers["Access-Control-Allow-Methods"], "GET, POST, PUT, DELETE, OPTIONS")
        XCTAssertEqual(pre.headers["Access-Control-Allow-Headers"], "authorization, content-type")
        XCTAssertEqual(pre.headers["Access-Control-Max-Age"], "600")
        XCTAssertEqual(pre.headers.values("Vary"), ["Origin"])

        let get = app.send("GET", "/health", headers: [("Origin", "https://app.example.com")])
        XCTAssertEqual(get.headers["Access-Control-Allow-Origin"], "https://app.example.com")
        XCTAssertEqual(get.headers["Vary"], "Origin")
        // Errors carry the header too, or the browser hides them from the page.
        XCTAssertEqual(app.send("GET", "/nope", headers: [("Origin", "https://app.example.com")]).headers["Access-Control-Allow-Origin"],
                       "https://app.example.com")

        let other = app.send("GET", "/health", headers: [("Origin", "https://evil.example.com")])
        XCTAssertNil(other.headers["Access-Control-Allow-Origin"])
        let otherPre = app.send("OPTIONS", "/api/posts", headers: [("Origin", "https://evil.example.com"),
                                                                   ("Access-Control-Request-Method", "POST")])
        XCTAssertNil(otherPre.headers["Access-Control-Allow-Origin"])
        XCTAssertNil(otherPre.headers["Access-Control-Allow-Methods"])
    }

    func checkNoCORSHeadersByDefault() {
        let r = app.send("GET", "/health", headers: [("Origin", "https://app.example.com")])
        XCTAssertNil(r.headers["Access-Control-Allow-Origin"])
        XCTAssertNil(r.headers["Vary"])
    }
}
