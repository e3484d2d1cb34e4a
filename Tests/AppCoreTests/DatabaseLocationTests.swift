import XCTest
@testable import AppCore
@testable import PaddockSQL

final class DatabaseLocationTests: XCTestCase {
    func testParsesURLs() throws {
        XCTAssertEqual(try DatabaseLocation(url: "sqlite:///paddock.db"), .sqlite(path: "paddock.db"))
        XCTAssertEqual(try DatabaseLocation(url: "sqlite:////var/lib/app.db"), .sqlite(path: "/var/lib/app.db"))
        XCTAssertEqual(try DatabaseLocation(url: "sqlite:///:memory:"), .sqlite(path: ":memory:"))
        XCTAssertEqual(try DatabaseLocation(url: "postgres://u@h/db"), .postgres(uri: "postgres://u@h/db"))
        XCTAssertEqual(try DatabaseLocation(url: "postgresql://u:p@h:5432/db?sslmode=require"),
                       .postgres(uri: "postgresql://u:p@h:5432/db?sslmode=require"))
        XCTAssertThrowsError(try DatabaseLocation(url: "mysql://h/db"))
        XCTAssertThrowsError(try DatabaseLocation(url: "sqlite:///"))
    }

    func testRedactsPassword() throws {
        XCTAssertEqual(try DatabaseLocation(url: "postgresql://u:secret@h/db").redacted, "postgresql://u:***@h/db")
        XCTAssertEqual(try DatabaseLocation(url: "postgresql://u@h/db").redacted, "postgresql://u@h/db")
    }

    func testConnectTimeoutIsAppended() {
        let (logger, _) = try! makeTestLogger()
        XCTAssertEqual(PostgresConnection(uri: "postgresql://h/db", connectTimeout: .seconds(5), statementTimeout: .seconds(10), logger: logger).connectionString,
                       "postgresql://h/db?connect_timeout=5")
        XCTAssertEqual(PostgresConnection(uri: "postgresql://h/db?sslmode=disable", connectTimeout: .milliseconds(500), statementTimeout: .seconds(10), logger: logger).connectionString,
                       "postgresql://h/db?sslmode=disable&connect_timeout=2")
        XCTAssertEqual(PostgresConnection(uri: "postgresql://h/db?connect_timeout=9", connectTimeout: .seconds(5), statementTimeout: .seconds(10), logger: logger).connectionString,
                       "postgresql://h/db?connect_timeout=9")
        // A parameter whose name merely ends in connect_timeout is not the timeout.
        XCTAssertEqual(PostgresConnection(uri: "postgresql://h/db?x_connect_timeout=9", connectTimeout: .seconds(5), statementTimeout: .seconds(10), logger: logger).connectionString,
                       "postgresql://h/db?x_connect_timeout=9&connect_timeout=5")
        XCTAssertEqual(PostgresConnection(uri: "postgresql://h/db?", connectTimeout: .seconds(5), statementTimeout: .seconds(10), logger: logger).connectionString,
                       "postgresql://h/db?connect_timeout=5")
    }
}
