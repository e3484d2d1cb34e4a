import Foundation
import XCTest
@testable import ServerCore

/// `jwt_secret_key_file`: where it is looked up, what is read, and what is an error.
final class JWTSecretFileTests: XCTestCase {
    private func load(_ arguments: [String], environment: [String: String] = [:]) throws -> Configuration {
        var config = try ConfigLoader.load(arguments: arguments, environment: environment, defaultConfigPath: "/nonexistent").configuration
        try JWTSecretFile.apply(to: &config, environment: environment)
        return config
    }

    func testRelativePathsAreLookedUpInTheCredentialsDirectory() {
        XCTAssertEqual(JWTSecretFile.resolve("jwt", environment: ["CREDENTIALS_DIRECTORY": "/run/credentials/paddock.service"]),
                       "/run/credentials/paddock.service/jwt")
        XCTAssertEqual(JWTSecretFile.resolve("/etc/paddock/jwt", environment: ["CREDENTIALS_DIRECTORY": "/run/c"]), "/etc/paddock/jwt")
        XCTAssertEqual(JWTSecretFile.resolve("jwt", environment: [:]), "jwt", "relative to the working directory")
    }

    func testTheFileFillsTheKeyWithoutItsTrailingNewline() throws {
        let dir = try temporaryDirectory()
        try "0123456789abcdef0123456789abcdef\r\n\n".write(to: dir.appendingPathComponent("jwt"), atomically: true, encoding: .utf8)
        let config = try load(["--jwt-secret-key-file", "jwt"], environment: ["CREDENTIALS_DIRECTORY": dir.path])
        XCTAssertEqual(config[Settings.jwtSecretKey], "0123456789abcdef0123456789abcdef")
        XCTAssertNil(JWTSecretFile.commandLineWarning(config), "the key itself was not on the command line")
        XCTAssertNil(JWTSecretFile.lengthWarning(config))
        XCTAssertFalse(config.printable().contains("0123456789abcdef"), "still redacted")
    }

    func testMissingEmptyAndDoubleSettingsAreErrorsNamingKeyAndPath() throws {
        let dir = try temporaryDirectory()
        let missing = dir.appendingPathComponent("missing").path
        XCTAssertThrowsError(try load(["--jwt-secret-key-file", missing])) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("jwt_secret_key_file") && text.contains(missing) && text.contains("--jwt-secret-key-file"), text)
        }
        let empty = dir.appendingPathComponent("empty").path
        try "\n".write(toFile: empty, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try load(["--jwt-secret-key-file", empty])) { error in
            XCTAssertTrue("\(error)".contains("\(empty) is empty"), "\(error)")
        }
        XCTAssertThrowsError(try load(["--jwt-secret-key-file", empty], environment: ["PADDOCK_JWT_SECRET_KEY": "k"])) { error in
            XCTAssertTrue("\(error)".contains("set only one") && "\(error)".contains("PADDOCK_JWT_SECRET_KEY"), "\(error)")
        }
        XCTAssertThrowsError(try load(["--jwt-secret-key-file", "/dev/zero"])) { error in
            XCTAssertTrue("\(error)".contains("longer than"), "\(error)")
        }
    }

    func testCommandLineAndShortKeysAreWarnedAbout() throws {
        let short = try load(["--jwt-secret-key", "hunter2"])
        XCTAssertTrue(JWTSecretFile.commandLineWarning(short)?.contains("--jwt-secret-key") ?? false)
        XCTAssertTrue(JWTSecretFile.lengthWarning(short)?.contains("7 bytes") ?? false)
        let fromEnvironment = try load([], environment: ["PADDOCK_JWT_SECRET_KEY": String(repeating: "k", count: 32)])
        XCTAssertNil(JWTSecretFile.commandLineWarning(fromEnvironment))
        XCTAssertNil(JWTSecretFile.lengthWarning(fromEnvironment))
        XCTAssertNil(JWTSecretFile.lengthWarning(try load([])), "unset: the master generates a long one")
    }
}
