import Foundation
import XCTest
@testable import ServerCore

/// `access_log_json` lines are valid JSON with the fixed keys.
final class AccessLogJSONTests: XCTestCase {
    func testLinesParseWithTheFixedKeys() throws {
        let path = try temporaryDirectory().appendingPathComponent("access.log").path
        let log = try AccessLog(path: path, style: .json, proxyTrust: ProxyTrust(allowed: ["127.0.0.1"]))
        var request = HTTPRequest(method: "GET", target: "/a%20b?q=\"x\"",
                                  headers: [("User-Agent", "agent \"quoted\"\n\u{1}"), ("X-Forwarded-For", "192.0.2.3")])
        request.remoteAddress = "127.0.0.1"
        log.log(request: request, response: HTTPResponse(status: 404), requestID: "abc", durationNanoseconds: 2_345_678, bytesSent: 17)
        request.headers = HTTPHeaders()
        log.log(request: request, response: HTTPResponse(status: 200), requestID: "def", durationNanoseconds: 0, bytesSent: 0)

        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, 3, "two lines, each ended by a newline")
        XCTAssertEqual(lines.last, "")
        let first = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        XCTAssertEqual(Set(first.keys), ["remote_addr", "time", "method", "path", "query", "protocol", "status", "bytes",
                                         "referer", "user_agent", "duration_us", "request_id", "pid"])
        XCTAssertEqual(first["remote_addr"] as? String, "192.0.2.3")
        XCTAssertEqual(first["path"] as? String, "/a%20b")
        XCTAssertEqual(first["query"] as? String, "q=\"x\"")
        XCTAssertEqual(first["protocol"] as? String, "HTTP/1.1")
        XCTAssertEqual(first["status"] as? Int, 404)
        XCTAssertEqual(first["bytes"] as? Int, 17)
        XCTAssertEqual(first["duration_us"] as? Int, 2345)
        XCTAssertEqual(first["user_agent"] as? String, "agent \"quoted\"\n\u{1}")
        XCTAssertTrue(first["referer"] is NSNull)
        XCTAssertEqual(first["request_id"] as? String, "abc")
        XCTAssertEqual(first["pid"] as? Int, Int(getpid()))
        let time = try XCTUnwrap(first["time"] as? String)
        XCTAssertNotNil(time.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"#, options: .regularExpression), time)

        let second = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        XCTAssertEqual(second["remote_addr"] as? String, "127.0.0.1")
        XCTAssertTrue(second["user_agent"] is NSNull)
    }
}
