import XCTest
@testable import ServerCore

/// A sane incoming X-Request-ID is kept; anything else gets a fresh, unique id.
final class RequestIDTests: XCTestCase {
    private func makeLog() throws -> AccessLog {
        try AccessLog(path: temporaryDirectory().appendingPathComponent("a.log").path, style: .json, proxyTrust: ProxyTrust(allowed: []))
    }

    func testSaneIncomingIDIsPassedThrough() throws {
        let log = try makeLog()
        let id = "req-" + String(repeating: "x", count: 196)
        XCTAssertEqual(log.requestID(for: HTTPRequest(method: "GET", target: "/", headers: [("x-request-id", id)])), id)
    }

    func testInsaneIncomingIDIsReplaced() throws {
        let log = try makeLog()
        for bad in ["", "has space", "line\nbreak", String(repeating: "a", count: 201), "caf\u{e9}"] {
            let id = log.requestID(for: HTTPRequest(method: "GET", target: "/", headers: [("X-Request-ID", bad)]))
            XCTAssertNotEqual(id, bad)
            XCTAssertEqual(id.utf8.count, 32, "replacement for \(String(reflecting: bad))")
        }
    }

    func testGeneratedIDsAreHexAndUnique() throws {
        let log = try makeLog(), other = try makeLog()
        var seen = Set<String>()
        for _ in 0..<10_000 {
            for l in [log, other] {
                let id = l.requestID(for: HTTPRequest(method: "GET", target: "/"))
                XCTAssertEqual(id.utf8.count, 32)
                XCTAssertTrue(id.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }, id)
                XCTAssertTrue(seen.insert(id).inserted, "duplicate id \(id)")
            }
        }
    }
}
