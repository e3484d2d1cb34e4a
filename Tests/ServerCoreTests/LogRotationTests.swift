import Foundation
import XCTest
@testable import ServerCore

/// RotatingFileHandler naming: `log.1` newest, at most `backups` kept.
final class LogRotationTests: XCTestCase {
    private func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    private func contents(_ path: String) -> String? {
        try? String(contentsOfFile: path, encoding: .utf8)
    }

    func testChainNamingAndCount() throws {
        let path = try temporaryDirectory().appendingPathComponent("app.log").path
        for generation in 1...4 {
            try write("generation \(generation)\n", to: path)
            XCTAssertTrue(try LogRotation.rotateIfNeeded(path: path, maxBytes: 10, backups: 2))
            XCTAssertNil(contents(path), "the live file is renamed away, not truncated")
        }
        XCTAssertEqual(contents(path + ".1"), "generation 4\n")
        XCTAssertEqual(contents(path + ".2"), "generation 3\n")
        XCTAssertNil(contents(path + ".3"), "only `backups` files are kept")
        let names = try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent).sorted()
        XCTAssertEqual(names, ["app.log.1", "app.log.2"])
    }

    func testNoRotationBelowTheSizeWithoutBackupsOrWithoutAFile() throws {
        let path = try temporaryDirectory().appendingPathComponent("app.log").path
        XCTAssertFalse(try LogRotation.rotateIfNeeded(path: path, maxBytes: 1, backups: 5), "missing file")
        try write("12345", to: path)
        XCTAssertFalse(try LogRotation.rotateIfNeeded(path: path, maxBytes: 6, backups: 5))
        XCTAssertFalse(try LogRotation.rotateIfNeeded(path: path, maxBytes: 0, backups: 5), "0 bytes means never")
        XCTAssertFalse(try LogRotation.rotateIfNeeded(path: path, maxBytes: 1, backups: 0), "no backups means never, as in Python")
        XCTAssertEqual(contents(path), "12345")
        XCTAssertTrue(try LogRotation.rotateIfNeeded(path: path, maxBytes: 5, backups: 5), "at exactly maxBytes")
        XCTAssertEqual(contents(path + ".1"), "12345")
    }

    func testAWriterKeepsAppendingToTheRenamedFileUntilItReopens() throws {
        let path = try temporaryDirectory().appendingPathComponent("access.log").path
        let log = try AccessLog(path: path, style: .format(AccessLogFormat(parsing: "%(request_id)s")), proxyTrust: ProxyTrust(allowed: []))
        let request = HTTPRequest(method: "GET", target: "/")
        log.log(request: request, response: HTTPResponse(status: 200), requestID: "one", durationNanoseconds: 0, bytesSent: 0)
        XCTAssertTrue(try LogRotation.rotateIfNeeded(path: path, maxBytes: 1, backups: 3))
        log.log(request: request, response: HTTPResponse(status: 200), requestID: "two", durationNanoseconds: 0, bytesSent: 0)
        try log.reopen()
        log.log(request: request, response: HTTPResponse(status: 200), requestID: "three", durationNanoseconds: 0, bytesSent: 0)
        XCTAssertEqual(contents(path + ".1"), "one\ntwo\n")
        XCTAssertEqual(contents(path), "three\n")
    }
}
