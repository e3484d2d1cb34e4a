import XCTest
@testable import ServerCore

/// Every atom of the text format, rendered from a fixed entry, and the
/// compile errors an operator sees for a bad format.
final class AccessLogFormatTests: XCTestCase {
    /// 2000-10-10T13:55:36.250Z, 1.5 s, 1234 bytes.
    private func entry(headers: [(String, String)] = [("Referer", "http://ref.example/"), ("User-Agent", "curl/8.0"),
                                                      ("Authorization", "Basic YWxpY2U6c2VjcmV0"), ("X-Trace", "abc")],
                       bytesSent: Int = 1234) -> AccessLogEntry {
        var request = HTTPRequest(method: "POST", target: "/items/7?x=1&y=2", headers: headers)
        request.minorVersion = 0
        request.remoteAddress = "10.0.0.9"
        let response = HTTPResponse(status: 201, headers: HTTPHeaders([("Location", "/items/8")]))
        return AccessLogEntry(request: request, response: response, clientAddress: "203.0.113.5", requestID: "rid-42",
                              durationNanoseconds: 1_500_250_999, bytesSent: bytesSent, pid: 4321,
                              epochSeconds: 971_186_136, nanoseconds: 250_000_000)
    }

    private func render(_ format: String, _ e: AccessLogEntry? = nil) throws -> String {
        var out: [UInt8] = []
        try AccessLogFormat(parsing: format).render(e ?? entry(), into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    func testEveryAtom() throws {
        let expected: [AccessLogAtom: String] = [
            .remoteAddress: "203.0.113.5", .remoteLogname: "-", .user: "alice",
            .time: "[10/Oct/2000:13:55:36 +0000]", .requestLine: "POST /items/7?x=1&y=2 HTTP/1.0",
            .method: "POST", .path: "/items/7", .query: "x=1&y=2", .proto: "HTTP/1.0", .status: "201",
            .bodyBytes: "1234", .bodyBytesOrDash: "1234", .referer: "http://ref.example/", .userAgent: "curl/8.0",
            .seconds: "1", .microseconds: "1500250", .decimalSeconds: "1.500250", .pid: "<4321>", .requestID: "rid-42",
        ]
        XCTAssertEqual(Set(expected.keys), Set(AccessLogAtom.allCases), "every atom needs an expectation")
        for (atom, value) in expected {
            XCTAssertEqual(try render("%(\(atom.rawValue))s"), value, "atom \(atom.rawValue)")
        }
    }

    func testAbsentValuesAreDashes() throws {
        let bare = entry(headers: [], bytesSent: 0)
        XCTAssertEqual(try render("%(u)s %(f)s %(a)s %(b)s %(B)s %({X-Trace}i)s %({ETag}o)s", bare), "- - - - 0 - -")
        let unixPeer = AccessLogEntry(request: bare.request, response: bare.response, clientAddress: "", requestID: "r",
                                      durationNanoseconds: 0, bytesSent: 0, pid: 1, epochSeconds: 0, nanoseconds: 0)
        XCTAssertEqual(try render("%(h)s %(L)s %(t)s", unixPeer), "- 0.000000 [01/Jan/1970:00:00:00 +0000]")
    }

    func testHeaderAtomsAreCaseInsensitive() throws {
        XCTAssertEqual(try render("%({x-trace}i)s|%({location}o)s"), "abc|/items/8")
    }

    func testDefaultFormatIsCombinedLogFormat() throws {
        XCTAssertEqual(try render(AccessLogFormat.defaultFormat),
                       #"203.0.113.5 - alice [10/Oct/2000:13:55:36 +0000] "POST /items/7?x=1&y=2 HTTP/1.0" 201 1234 "http://ref.example/" "curl/8.0""#)
        XCTAssertEqual(Configuration.defaults()[Settings.accessLogFormat], AccessLogFormat.defaultFormat)
    }

    func testFormatIsCompiledIntoMergedSegments() throws {
        let format = try AccessLogFormat(parsing: "a%%b %(s)s%({X-A}i)s")
        XCTAssertEqual(format.segments, [.literal(Array("a%b ".utf8)), .atom(.status), .requestHeader("X-A")])
    }

    func testClientTextCannotForgeLinesOrFields() throws {
        let e = entry(headers: [("User-Agent", "evil\"\n1.2.3.4 - - \\x")])
        XCTAssertEqual(try render(#""%(a)s""#, e), #""evil\x22\x0A1.2.3.4 - - \x5Cx""#)
    }

    func testBadFormatsAreRejectedWithTheirPosition() {
        func problem(_ format: String) -> String? {
            do { _ = try AccessLogFormat(parsing: format); return nil } catch { return error.message }
        }
        XCTAssertEqual(problem("%(h)s %(zz)s")?.hasPrefix("unknown atom %(zz)s at character 7"), true, problem("%(h)s %(zz)s") ?? "")
        XCTAssertEqual(problem("100%")?.contains("lone %"), true)
        XCTAssertEqual(problem("%(h)d")?.contains("must be followed by s"), true)
        XCTAssertEqual(problem("%(h")?.contains("never closed"), true)
        XCTAssertEqual(problem("%({HOME}e)s")?.contains("only {header}i and {header}o"), true)
        XCTAssertEqual(problem("%({bad name}i)s")?.contains("is not a header name"), true)
        XCTAssertNil(problem("plain text, 100%% literal"))
    }
}
