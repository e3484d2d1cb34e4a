import XCTest
import ServerCore

/// The application's settings are declared once, in `Settings.all`, with
/// the defaults the docs promise.
final class SettingsDeclarationTests: XCTestCase {
    func testDefaults() {
        let c = Configuration.defaults()
        XCTAssertEqual(c[Settings.app], "users")
        XCTAssertEqual(c[Settings.databaseURL], "sqlite:///paddock.db")
        XCTAssertEqual(c[Settings.dbConnectTimeout], .seconds(5))
        XCTAssertEqual(c[Settings.dbStatementTimeout], .seconds(10))
        XCTAssertEqual(c[Settings.autoMigrate], .auto)
        XCTAssertEqual(c[Settings.jwtSecretKey], "")
        XCTAssertEqual(c[Settings.jwtAccessTokenExpires], .seconds(900))
        XCTAssertEqual(c[Settings.jwtRefreshTokenExpires], .seconds(2_592_000))
        XCTAssertEqual(c[Settings.passwordScryptN], 32768)
        XCTAssertEqual(c[Settings.corsOrigins], [])
    }

    func testDeclaredOnceWithDocs() {
        let keys = ["database_url", "db_connect_timeout", "db_statement_timeout", "auto_migrate", "jwt_secret_key",
                    "jwt_access_token_expires", "jwt_refresh_token_expires", "password_scrypt_n", "cors_origins"]
        for key in keys {
            XCTAssertEqual(Settings.all.filter { $0.key == key }.count, 1, key)
            XCTAssertFalse(Settings.spec(for: key)?.summary.isEmpty ?? true, key)
        }
        XCTAssertEqual(Settings.spec(for: "app")?.type, .choice(["users", "echo"]))
        XCTAssertTrue(Settings.spec(for: "jwt_secret_key")?.secret ?? false)
        XCTAssertEqual(Settings.spec(for: "password_scrypt_n")?.minimum, .int(1024))
        XCTAssertEqual(Settings.spec(for: "password_scrypt_n")?.maximum, .int(1_048_576))
        let flags = Settings.all.flatMap(\.flags)
        XCTAssertEqual(flags.count, Set(flags).count, "a command-line flag is declared twice")
    }
}
