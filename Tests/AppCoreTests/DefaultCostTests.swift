import XCTest
@testable import AppCore
@testable import PaddockSQL

/// One round trip at the production scrypt cost (the other tests use 1024).
final class DefaultCostTests: XCTestCase {
    func testRegisterAndLoginAtDefaultCost() throws {
        let (logger, _) = try makeTestLogger()
        var config = testConfiguration(databaseURL: "sqlite:///:memory:")
        config.set("password_scrypt_n", .int(32768), from: .defaultValue)
        let app = try UsersApplication(configuration: config, logger: logger)
        try app.start()
        XCTAssertEqual(app.send("POST", "/auth/register", json: jsonBody(["email": "a@example.com", "name": "A", "password": "password123"])).status, 201)
        let hash = try app.db.queryOne(SQLStatement("hash", "SELECT password_hash FROM users"), [])?.text(0) ?? ""
        XCTAssertTrue(hash.hasPrefix("scrypt:32768:8:1$"), hash)
        XCTAssertEqual(app.send("POST", "/auth/login", json: jsonBody(["email": "a@example.com", "password": "password123"])).status, 200)
    }

    func testScryptCostMustBeAPowerOfTwo() {
        var config = testConfiguration(databaseURL: "sqlite:///:memory:")
        config.set("password_scrypt_n", .int(3000), from: .defaultValue)
        XCTAssertThrowsError(try UsersApplication(configuration: config, logger: makeTestLogger().0))
    }
}
