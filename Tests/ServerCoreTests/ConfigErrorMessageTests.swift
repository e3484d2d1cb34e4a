import XCTest
@testable import ServerCore

/// Every rejected value names its source, the setting and the value.
final class ConfigErrorMessageTests: XCTestCase {
    private let noDefault = "/nonexistent/paddock-test/server.conf"

    private func message(_ arguments: [String], env: [String: String] = [:], line: UInt = #line) -> String {
        do {
            let loaded = try ConfigLoader.load(arguments: arguments, environment: env, defaultConfigPath: noDefault)
            XCTFail("loaded \(loaded.configuration.values)", line: line)
            return ""
        } catch {
            return error.message
        }
    }

    private func fileMessage(_ text: String, line: UInt = #line) throws -> (message: String, path: String) {
        let path = try writeConfig(text)
        return (message(["-c", path], line: line), path)
    }

    func testInvalidValueInFile() throws {
        let (text, path) = try fileMessage("\n# comment\nworkers = abc\n")
        XCTAssertEqual(text, "\(path):3: invalid value \"abc\" for workers: expected an integer")
    }

    func testInvalidValueInEnvironmentAndCommandLine() {
        XCTAssertEqual(message([], env: ["PADDOCK_WORKERS": "abc"]),
                       "PADDOCK_WORKERS: invalid value \"abc\" for workers: expected an integer")
        XCTAssertEqual(message(["--workers", "abc"]), "--workers: invalid value \"abc\" for workers: expected an integer")
        XCTAssertEqual(message(["-w", "x"]), "-w: invalid value \"x\" for workers: expected an integer")
        XCTAssertEqual(message(["--reuse-port=perhaps"]),
                       "--reuse-port: invalid value \"perhaps\" for reuse_port: expected a boolean (true/false, yes/no, on/off, 1/0)")
        XCTAssertEqual(message(["--log-level", "loud"]),
                       "--log-level: invalid value \"loud\" for loglevel: expected one of debug, info, warning, error, critical")
    }

    func testOutOfBounds() throws {
        let (text, path) = try fileMessage("workers = 0\n")
        XCTAssertEqual(text, "\(path):1: workers = 0 is below the minimum 1")
        XCTAssertEqual(message(["--workers", "5000"]), "--workers: workers = 5000 is above the maximum 1024")
        XCTAssertEqual(message([], env: ["PADDOCK_KEEPALIVE": "2h"]), "PADDOCK_KEEPALIVE: keepalive = 2h is above the maximum 1h")
        XCTAssertEqual(message(["--max-body-size", "2TiB"]), "--max-body-size: max_body_size = 2TiB is above the maximum 1TiB")
    }

    func testUnknownKeySuggestsTheClosest() throws {
        let (text, path) = try fileMessage("workers = 2\nbind = 127.0.0.1:1\nworker = 4\n")
        XCTAssertEqual(text, "\(path):3: unknown setting \"worker\" (did you mean \"workers\"?)")
        let (far, farPath) = try fileMessage("colour = blue\n")
        XCTAssertEqual(far, "\(farPath):1: unknown setting \"colour\"")
        let (dashed, _) = try fileMessage("keep-alive = 3\n")
        XCTAssertTrue(dashed.hasSuffix("unknown setting \"keep_alive\" (did you mean \"keepalive\"?)"), dashed)
    }

    func testUnknownOptionSuggestsTheClosest() {
        XCTAssertEqual(message(["--worker", "4"]), "unknown option --worker (did you mean --workers?)")
        XCTAssertEqual(message(["--no-reuseport"]), "unknown option --no-reuseport (did you mean --no-reuse-port?)")
        XCTAssertEqual(message(["--frobnicate"]), "unknown option --frobnicate")
        XCTAssertEqual(message(["-x"]), "unknown option -x")
    }

    func testUnreadableConfigNamesThePath() throws {
        let folder = try temporaryDirectory()
        let text = message(["--config", folder.path])
        XCTAssertTrue(text.hasPrefix("cannot read config file \(folder.path)"), text)
    }
}
