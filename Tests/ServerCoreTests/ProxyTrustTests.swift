import XCTest
@testable import ServerCore

/// X-Forwarded-For and X-Forwarded-Proto count only from trusted peers.
final class ProxyTrustTests: XCTestCase {
    private func request(peer: String, _ headers: [(String, String)]) -> HTTPRequest {
        var r = HTTPRequest(method: "GET", target: "/", headers: headers)
        r.remoteAddress = peer
        return r
    }

    private let trust = try! ProxyTrust(allowed: ["127.0.0.1", "::1", "10.0.0.2"])

    func testHeadersFromAnUntrustedPeerAreIgnored() {
        let r = request(peer: "198.51.100.7", [("X-Forwarded-For", "1.1.1.1"), ("X-Forwarded-Proto", "https")])
        XCTAssertEqual(trust.clientAddress(for: r), "198.51.100.7")
        XCTAssertNil(trust.forwardedProto(for: r))
    }

    func testTrustedPeerGivesTheRightMostUntrustedHop() {
        // 6.6.6.6 was written by the client itself; 203.0.113.9 by our proxy 10.0.0.2.
        let r = request(peer: "127.0.0.1", [("X-Forwarded-For", "6.6.6.6, 203.0.113.9"), ("X-Forwarded-For", "10.0.0.2"),
                                            ("X-Forwarded-Proto", "HTTPS")])
        XCTAssertEqual(trust.clientAddress(for: r), "203.0.113.9")
        XCTAssertEqual(trust.forwardedProto(for: r), "https")
    }

    func testWildcardTrustsEveryHopAndTakesTheFirst() {
        let r = request(peer: "198.51.100.7", [("X-Forwarded-For", "192.0.2.1, 192.0.2.2")])
        XCTAssertEqual(try ProxyTrust(allowed: ["*"]).clientAddress(for: r), "192.0.2.1")
    }

    func testGarbageHopStopsTheWalk() {
        let r = request(peer: "127.0.0.1", [("X-Forwarded-For", "192.0.2.1, <script>, 10.0.0.2")])
        XCTAssertEqual(trust.clientAddress(for: r), "10.0.0.2")
        XCTAssertNil(trust.forwardedProto(for: request(peer: "127.0.0.1", [("X-Forwarded-Proto", "gopher")])))
    }

    func testMappedIPv4AndUnixPeersAreTrusted() {
        XCTAssertEqual(trust.clientAddress(for: request(peer: "::ffff:127.0.0.1", [("X-Forwarded-For", "192.0.2.4")])), "192.0.2.4")
        XCTAssertEqual(trust.clientAddress(for: request(peer: "", [("X-Forwarded-For", "192.0.2.5")])), "192.0.2.5")
        XCTAssertEqual(trust.clientAddress(for: request(peer: "::1", [])), "::1")
    }

    func testAccessLogUsesTheForwardedAddress() throws {
        let path = try temporaryDirectory().appendingPathComponent("a.log").path
        let log = try AccessLog(path: path, style: .format(AccessLogFormat(parsing: "%(h)s")), proxyTrust: trust)
        let headers = [("X-Forwarded-For", "192.0.2.8")]
        log.log(request: request(peer: "127.0.0.1", headers), response: HTTPResponse(status: 200), requestID: "r", durationNanoseconds: 0, bytesSent: 0)
        log.log(request: request(peer: "192.0.2.99", headers), response: HTTPResponse(status: 200), requestID: "r", durationNanoseconds: 0, bytesSent: 0)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "192.0.2.8\n192.0.2.99\n")
    }
}
