import XCTest
@testable import AppCore

extension APIContractTests {
    func testHealthAnswersWithoutDatabase() {
        let r = app.send("GET", "/health")
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.json, .object(["status": .string("healthy")]))
        XCTAssertEqual(r.headers["Content-Type"], "application/json")
    }

    func testReadyChecksDatabase() {
        let r = app.send("GET", "/health/ready")
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.json, .object(["status": .string("ready"), "database": .string("ok")]))
        XCTAssertTrue(app.isReady().ready)
    }
}
