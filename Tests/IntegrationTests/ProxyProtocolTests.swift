import Foundation
import Glibc
import Posix
import ServerCore
import TestSupport
import XCTest

/// The PROXY protocol on the real server: the header's source address is the
/// client's in the access log, only from `proxy_allow_ips`; a missing or
/// malformed header from an allowed peer ends the connection unanswered; and
/// a real HAProxy's `send-proxy` and `send-proxy-v2` are understood.
final class ProxyProtocolTests: XCTestCase {
    var server: ServerProcess?
    var haproxy: HAProxyProcess?

    override func tearDown() {
        haproxy?.stop()
        haproxy = nil
        if let server {
            server.stopGracefully()
            XCTAssertEqual(server.unexpectedErrorLines(), [], "unexpected error lines in the server log")
        }
        server = nil
        super.tearDown()
    }

    private func start(allowFrom: String) throws -> ServerProcess {
        let dir = try ServerProcess.makeTemporaryDirectory("proxy-protocol")
        let s = try ServerProcess(arguments: ["--app", "echo", "--workers", "1", "--proxy-protocol", "--proxy-allow-from", allowFrom,
                                              "--access-logfile", dir + "/access.log", "--log-level", "info"], directory: dir)
        server = s
        try s.waitReady()
        return s
    }

    /// The access-log lines naming `path`, waited for (the log is written after the response).
    private func accessLines(_ s: ServerProcess, _ path: String) -> [String] {
        _ = s.waitForAccessLog(containing: path, atLeast: 1, timeout: 5)
        let log = (try? String(contentsOfFile: s.directory + "/access.log", encoding: .utf8)) ?? ""
        return log.split(separator: "\n").map(String.init).filter { $0.contains(path) }
    }

    private func get(_ path: String, extra: String = "") -> String {
        "GET \(path) HTTP/1.1\r\nHost: x\r\n\(extra)Connection: close\r\n\r\n"
    }

    private func v2(command: UInt8 = 1, family: UInt8, block: [UInt8]) -> [UInt8] {
        [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x20 | command, family,
         UInt8(block.count >> 8), UInt8(block.count & 0xFF)] + block
    }

    func testHeadersFromAnAllowedPeerNameTheClient() throws {
        let s = try start(allowFrom: "127.0.0.0/8")
        // Version 1, arriving in two writes.
        let a = try HTTPTestClient(port: s.port)
        try a.send("PROXY TCP4 192.0.2.10 198.51.1")
        Clock.sleep(milliseconds: 50)
        try a.send("00.1 56324 443\r\n" + get("/echo?v1"))
        XCTAssertTrue(String(decoding: try a.readUntilClosed(), as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        XCTAssertEqual(accessLines(s, "/echo?v1").first?.split(separator: " ").first, "192.0.2.10")
        // Version 2, IPv6, with X-Forwarded-For from a client that is not a trusted proxy: ignored.
        var block = [UInt8](repeating: 0, count: 36)
        block[0] = 0x20; block[1] = 0x01; block[2] = 0x0d; block[3] = 0xb8; block[15] = 7
        let b = try HTTPTestClient(port: s.port)
        try b.send(bytes: v2(family: 0x21, block: block) + Array(get("/echo?v2", extra: "X-Forwarded-For: 203.0.113.9\r\n").utf8))
        XCTAssertTrue(String(decoding: try b.readUntilClosed(), as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        XCTAssertEqual(accessLines(s, "/echo?v2").first?.split(separator: " ").first, "2001:db8::7")
        // LOCAL (the proxy's own check) and UNKNOWN keep the peer's address.
        let c = try HTTPTestClient(port: s.port)
        try c.send(bytes: v2(command: 0, family: 0, block: []) + Array(get("/echo?local").utf8))
        XCTAssertTrue(String(decoding: try c.readUntilClosed(), as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        XCTAssertEqual(accessLines(s, "/echo?local").first?.split(separator: " ").first, "127.0.0.1")
        let d = try HTTPTestClient(port: s.port)
        try d.send("PROXY UNKNOWN\r\n" + get("/echo?unknown"))
        XCTAssertTrue(String(decoding: try d.readUntilClosed(), as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        XCTAssertEqual(accessLines(s, "/echo?unknown").first?.split(separator: " ").first, "127.0.0.1")
    }

    func testAMissingOrMalformedHeaderFromAnAllowedPeerIsNotAnswered() throws {
        let s = try start(allowFrom: "127.0.0.1")
        for (label, bytes) in [("no header", Array(get("/echo?plain").utf8)),
                               ("malformed v1", Array(("PROXY TCP4 192.0.2 198.51.100.1 1 2\r\n" + get("/echo?bad1")).utf8)),
                               ("v2 of version 1", [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x11, 0x11, 0, 0]
                                    + Array(get("/echo?bad2").utf8))] {
            let c = try HTTPTestClient(port: s.port)
            try c.send(bytes: bytes)
            XCTAssertEqual(try c.readUntilClosed(), [], "\(label): answered")
        }
        // The header alone, then the client closes: nothing to answer, no error.
        let e = try HTTPTestClient(port: s.port)
        try e.send("PROXY TCP4 192.0.2.10 198.51.100.1 1 2\r\n")
        try Socket.shutdown(e.fd, how: Int32(SHUT_WR))
        XCTAssertEqual(try e.readUntilClosed(), [])
        // The connection that follows is served: the worker lost nothing.
        let f = try HTTPTestClient(port: s.port)
        try f.send("PROXY TCP4 192.0.2.11 198.51.100.1 1 2\r\n" + get("/echo?after"))
        XCTAssertTrue(String(decoding: try f.readUntilClosed(), as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        XCTAssertEqual(accessLines(s, "/echo?plain"), [])
        XCTAssertEqual(accessLines(s, "/echo?after").first?.split(separator: " ").first, "192.0.2.11")
    }

    /// A peer outside `proxy_allow_ips` is a plain HTTP client: served with
    /// its own address, and a PROXY header from it is not believed.
    func testOtherPeersArePlainClientsAndCannotClaimAnAddress() throws {
        let s = try start(allowFrom: "10.0.0.0/8")
        let a = try HTTPTestClient(port: s.port)
        try a.send(get("/echo?direct"))
        XCTAssertTrue(String(decoding: try a.readUntilClosed(), as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        XCTAssertEqual(accessLines(s, "/echo?direct").first?.split(separator: " ").first, "127.0.0.1")
        let b = try HTTPTestClient(port: s.port)
        try b.send("PROXY TCP4 192.0.2.10 198.51.100.1 1 2\r\n" + get("/echo?spoof"))
        let answer = String(decoding: try b.readUntilClosed(), as: UTF8.self)
        XCTAssertFalse(answer.hasPrefix("HTTP/1.1 200"), answer)
        let log = (try? String(contentsOfFile: s.directory + "/access.log", encoding: .utf8)) ?? ""
        XCTAssertFalse(log.contains("192.0.2.10"), log)
    }

    /// HAProxy listens on [::1] and reaches Paddock on 127.0.0.1: without the
    /// header the log would say 127.0.0.1; with it, the client's ::1.
    func testRealHAProxySendProxyAndSendProxyV2() throws {
        guard let binary = HAProxyProcess.findBinary() else {
            throw XCTSkip("haproxy is not installed (apt-get install haproxy): this test needs the real one")
        }
        let s = try start(allowFrom: "127.0.0.1")
        for option in ["send-proxy", "send-proxy-v2"] {
            let proxy = try HAProxyProcess(binary: binary, servers: [("a", s.port)], serverOptions: "check \(option)", frontendOnIPv6: true)
            haproxy = proxy
            let deadline = Date().addingTimeInterval(10)
            var status = 0
            while Date() < deadline && status != 200 {
                status = (try? HTTPTestClient(port: proxy.port, host: "::1", timeout: 2).request("GET", "/echo?via=\(option)", close: true).status) ?? 0
                if status != 200 { Clock.sleep(milliseconds: 50) }
            }
            XCTAssertEqual(status, 200, "through HAProxy with \(option); its log:\n\(proxy.logTail())")
            XCTAssertEqual(accessLines(s, "/echo?via=\(option)").first?.split(separator: " ").first, "::1", option)
            // Its health checks carry the header too, and are served.
            XCTAssertTrue(s.waitForAccessLog(containing: "/health/ready", atLeast: 1, timeout: 5), "no health check reached the server")
            proxy.stop()
            haproxy = nil
        }
    }
}
