import Foundation
import XCTest
@testable import AppCore
@testable import PaddockSQL

/// A login for an address that has no account costs a password hash too,
/// so the answer time does not tell which addresses are registered.
final class LoginTimingTests: XCTestCase {
    func testUnknownEmailCostsAsMuchAsAWrongPassword() throws {
        let (logger, logPath) = try makeTestLogger()
        defer { try? FileManager.default.removeItem(atPath: logPath) }
        // A cost high enough (~30 ms a hash) that one hash dwarfs the rest of a request.
        let app = try UsersApplication(configuration: testConfiguration(databaseURL: "sqlite:///:memory:", scryptN: 16384,
                                                                        autoMigrate: .on), logger: logger)
        try app.start()
        defer { app.db.close() }
        XCTAssertEqual(app.send("POST", "/auth/register", json: jsonBody(["email": "ann@example.com", "name": "Ann", "password": "password123"])).status, 201)

        func duration(_ email: String) -> Duration {
            let clock = ContinuousClock()
            var status = 0
            let d = clock.measure {
                status = app.send("POST", "/auth/login", json: jsonBody(["email": email, "password": "wrong-password"])).status
            }
            XCTAssertEqual(status, 401)
            return d
        }
        // Interleaved, and the fastest of each kind compared: the machine's
        // load only ever adds time, so minima are the stable estimate.
        var unknown: [Duration] = [], wrong: [Duration] = []
        for i in 0..<6 {
            unknown.append(duration("nobody\(i)@example.com"))
            wrong.append(duration("ann@example.com"))
        }
        let fastestUnknown = try XCTUnwrap(unknown.min()), fastestWrong = try XCTUnwrap(wrong.min())
        XCTAssertGreaterThan(fastestWrong, .milliseconds(5), "the configured cost makes a verification measurable")
        XCTAssertGreaterThanOrEqual(fastestUnknown * 2, fastestWrong,
                                    "unknown e-mail \(unknown), wrong password \(wrong)")
    }
}
