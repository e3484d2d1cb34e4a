import XCTest
@testable import ServerCore

/// Typed bounds and choices still name the source, the setting and the value
/// as written, with the bound in the setting's own unit.
final class TypedSettingMessageTests: XCTestCase {
    private func fileMessage(_ text: String, line: UInt = #line) throws -> (message: String, path: String) {
        let path = try writeConfig(text)
        do {
            let loaded = try ConfigLoader.load(arguments: ["-c", path], environment: [:],
                                               defaultConfigPath: "/nonexistent/paddock-test/server.conf")
            XCTFail("loaded \(loaded.configuration.values)", line: line)
        } catch {
            return (error.message, path)
        }
        return ("", path)
    }

    func testDurationBoundsNameKeyValueAndLine() throws {
        let (below, path) = try fileMessage("# timings\nheader_read_timeout = 0.5ms\n")
        XCTAssertEqual(below, "\(path):2: header_read_timeout = 0.5ms is below the minimum 0.001s")
        let (above, abovePath) = try fileMessage("workers = 2\nboot_backoff_max = 2h\n")
        XCTAssertEqual(above, "\(abovePath):2: boot_backoff_max = 2h is above the maximum 1h")
        let (linger, lingerPath) = try fileMessage("linger_time = 11m\n")
        XCTAssertEqual(linger, "\(lingerPath):1: linger_time = 11m is above the maximum 10m")
        let (boot, bootPath) = try fileMessage("boot_timeout = 50ms\n")
        XCTAssertEqual(boot, "\(bootPath):1: boot_timeout = 50ms is below the minimum 0.1s")
    }

    func testSizeAndChoiceMessages() throws {
        let (size, path) = try fileMessage("output_high_water = 1k\n")
        XCTAssertEqual(size, "\(path):1: output_high_water = 1k is below the minimum 4KiB")
        let (mode, modePath) = try fileMessage("db_prepared_statements = sometimes\n")
        XCTAssertEqual(mode, "\(modePath):1: invalid value \"sometimes\" for db_prepared_statements: expected one of auto, on, off")
    }

    func testTypedValuesFromEverySyntax() throws {
        let c = try ConfigLoader.parse(text: "timeout = 30\ngraceful_timeout = 500ms\nkeepalive = 2m\nshutdown_delay = 1.5\n"
                                       + "max_body_size = 64k\ndb_prepared_statements = OFF\nloglevel = Warning\n", path: "t.conf")
        XCTAssertEqual(c[Settings.timeout], .seconds(30))
        XCTAssertEqual(c[Settings.gracefulTimeout], .milliseconds(500))
        XCTAssertEqual(c[Settings.keepalive], .seconds(120))
        XCTAssertEqual(c[Settings.shutdownDelay], .milliseconds(1500))
        XCTAssertEqual(c[Settings.maxBodySize], ByteCount(65536))
        XCTAssertEqual(c[Settings.dbPreparedStatements], .off)
        XCTAssertEqual(c[Settings.loglevel], .warning)
        XCTAssertEqual(try ConfigLoader.parse(text: c.serialized(), path: "again.conf"), c, "printing reads back to the same values")
    }
}
