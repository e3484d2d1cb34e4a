import Foundation
import XCTest
@testable import ServerCore

/// The error log's two line formats.
final class LoggerJSONTests: XCTestCase {
    private func lines(of path: String) throws -> [Substring] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
    }

    func testJSONLines() throws {
        let path = try temporaryDirectory().appendingPathComponent("error.log").path
        let worker = try Logger(path: path, level: .info, slot: 3, format: .json)
        worker.debug("not written")
        worker.warning("two\nlines \"quoted\"")
        let master = try Logger(path: path, level: .info, slot: nil, format: LogFormat(name: "JSON")!)
        master.error("from the master")

        let written = try lines(of: path)
        XCTAssertEqual(written.count, 2)
        let first = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(written[0].utf8)) as? [String: Any])
        XCTAssertEqual(Set(first.keys), ["time", "level", "pid", "slot", "message"])
        XCTAssertEqual(first["level"] as? String, "warning")
        XCTAssertEqual(first["slot"] as? Int, 3)
        XCTAssertEqual(first["pid"] as? Int, Int(getpid()))
        XCTAssertEqual(first["message"] as? String, "two\nlines \"quoted\"")
        XCTAssertNotNil((first["time"] as? String)?.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"#, options: .regularExpression))
        let second = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(written[1].utf8)) as? [String: Any])
        XCTAssertTrue(second["slot"] is NSNull)
        XCTAssertEqual(second["level"] as? String, "error")
    }

    func testTextStaysTheDefault() throws {
        let path = try temporaryDirectory().appendingPathComponent("error.log").path
        let logger = try Logger(path: path, level: .info, slot: 1)
        XCTAssertEqual(logger.format, .text)
        logger.info("hello\nworld")
        let line = try XCTUnwrap(try lines(of: path).first)
        XCTAssertTrue(line.hasSuffix(" info pid=\(getpid()) slot=1 hello\\nworld"), String(line))
    }
}
