import XCTest
@testable import ServerCore

/// The logging settings as the loader sees them: bad values fail at load
/// with the source named, and `AccessLog.make` follows `accesslog`.
final class AccessLogSettingsTests: XCTestCase {
    func testUnknownAtomFailsAtLoadNamingTheLine() throws {
        do {
            _ = try ConfigLoader.parse(text: "access_log_format = %(h)s %(nope)s\n", path: "server.conf")
            XCTFail("an unknown atom was accepted")
        } catch {
            XCTAssertTrue(error.message.hasPrefix("server.conf:1: invalid value"), error.message)
            XCTAssertTrue(error.message.contains("unknown atom %(nope)s"), error.message)
        }
    }

    func testForwardedAllowIPsMustBeAddresses() throws {
        XCTAssertEqual(try ConfigLoader.parse(text: "forwarded_allow_ips = 10.0.0.1, fd00::1, *\n", path: "c")[Settings.forwardedAllowIPs],
                       ["10.0.0.1", "fd00::1", "*"])
        XCTAssertThrowsError(try ConfigLoader.parse(text: "forwarded_allow_ips = 10.0.0.0/33\n", path: "c"))
        XCTAssertThrowsError(try ConfigLoader.parse(text: "forwarded_allow_ips = proxy.local\n", path: "c"))
    }

    func testCustomFormatSurvivesSerialization() throws {
        let text = #"access_log_format = "%(h)s \"%(r)s\" %(D)s %({X-Request-ID}o)s""# + "\n"
        let configuration = try ConfigLoader.parse(text: text, path: "c")
        XCTAssertEqual(configuration[Settings.accessLogFormat], #"%(h)s "%(r)s" %(D)s %({X-Request-ID}o)s"#)
        let again = try ConfigLoader.parse(text: configuration.serialized(), path: "serialized")
        XCTAssertEqual(again[Settings.accessLogFormat], configuration[Settings.accessLogFormat])
    }

    func testMakeIsNilWhenOffAndOpensTheFileWhenOn() throws {
        XCTAssertNil(try AccessLog.make(configuration: .defaults()))
        let path = try temporaryDirectory().appendingPathComponent("access.log").path
        let configuration = try ConfigLoader.parse(text: "accesslog = \(path)\naccess_log_json = true\n", path: "c")
        let log = try XCTUnwrap(try AccessLog.make(configuration: configuration))
        XCTAssertEqual(log.style, .json)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path))
    }

    func testCheckRejectsAFormatSetWithoutTheLoader() {
        var configuration = Configuration.defaults()
        configuration.set("access_log_format", .string("%(x)s"), from: .defaultValue)
        XCTAssertThrowsError(try AccessLog.check(configuration: configuration))
        XCTAssertNoThrow(try AccessLog.check(configuration: .defaults()))
    }
}
