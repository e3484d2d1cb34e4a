import XCTest
import ServerCore
@testable import Worker

/// The HTTP-version rules of RFC 9110 6.2 and RFC 9112 2.3: a higher minor version of
/// HTTP/1 is processed as HTTP/1.1, any other major version is 505.
final class HTTP1VersionTests: XCTestCase {
    private func parse(_ lines: [String], body: String = "") -> HTTP1Corpus.Outcome {
        let bytes = Array((lines.joined(separator: "\r\n") + "\r\n\r\n" + body).utf8)
        return HTTP1Corpus.run(bytes, pieces: [bytes.count], limits: HTTPLimits())
    }

    func testHigherMinorVersionsAreProcessedAsHTTP11() {
        for minor in 2...9 {
            let outcome = parse(["GET /health HTTP/1.\(minor)", "Host: x"])
            XCTAssertNil(outcome.failure, "HTTP/1.\(minor): \(outcome.failure?.message ?? "")")
            guard let parsed = outcome.requests.first else { XCTFail("HTTP/1.\(minor): no request"); continue }
            // The request is handled, logged and answered as the version the server speaks.
            XCTAssertEqual(parsed.request.minorVersion, 1, "HTTP/1.\(minor)")
            XCTAssertTrue(parsed.keepAlive, "HTTP/1.\(minor): HTTP/1.1 connections persist by default")
        }
    }

    func testHigherMinorVersionFollowsHTTP11Rules() {
        // Host is required in HTTP/1.1 (RFC 9112 3.2).
        XCTAssertEqual(parse(["GET / HTTP/1.2"]).failure?.status, 400)
        // Connection: close still ends the connection.
        XCTAssertEqual(parse(["GET / HTTP/1.2", "Host: x", "Connection: close"]).requests.first?.keepAlive, false)
        // Chunked framing and 100-continue are HTTP/1.1 features, so they apply.
        let chunked = parse(["POST / HTTP/1.3", "Host: x", "Transfer-Encoding: chunked"], body: "3\r\nabc\r\n0\r\n\r\n")
        XCTAssertEqual(chunked.requests.first?.request.body, Array("abc".utf8))
        let expect = parse(["POST / HTTP/1.4", "Host: x", "Expect: 100-continue", "Content-Length: 2"])
        XCTAssertEqual(expect.continues, 1)
    }

    func testOtherMajorVersionsAre505() {
        for version in ["HTTP/0.9", "HTTP/0.1", "HTTP/2.0", "HTTP/2.1", "HTTP/3.1", "HTTP/9.9"] {
            XCTAssertEqual(parse(["GET / \(version)", "Host: x"]).failure?.status, 505, version)
        }
    }

    func testMalformedVersionsAre400() {
        for version in ["HTTP/1.10", "HTTP/1.", "HTTP/1", "HTTP/11", "http/1.2", "HTTP/1.x", "HTTP/1,2"] {
            XCTAssertEqual(parse(["GET / \(version)", "Host: x"]).failure?.status, 400, version)
        }
    }
}
