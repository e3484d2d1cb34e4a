import XCTest
@testable import AppCore
@testable import PaddockSQL

extension APIContractSuite {
    func checkHealthAnswersWithoutDatabase() {
        let r = app.send("GET", "/health")
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.json, .object(["status": .string("healthy")]))
        XCTAssertEqual(r.headers["Content-Type"], "application/json")
    }

    func checkReadyChecksDatabase() {
        let r = app.send("GET", "/health/ready")
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.json, .object(["status": .string("ready"), "database": .string("ok")]))
        XCTAssertTrue(app.isReady().ready)
    }
}
