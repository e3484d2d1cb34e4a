import Foundation
import Glibc
import Posix
import ServerCore
import TestSupport
import XCTest

/// The real server and the HTTP-version rules: a higher HTTP/1 minor version is served as
/// HTTP/1.1 (RFC 9110 6.2), another major version gets 505 and the connection closes.
final class HTTPVersionTests: ServerTestCase {
    private func start() throws -> ServerProcess {
        let s = try ServerProcess(arguments: ["--app", "echo", "--workers", "1"])
        server = s
        try s.waitReady()
        return s
    }

    /// The status line of each response in `bytes`, walking them by their Content-Length
    /// (every response here has one).
    private func statusLines(_ bytes: [UInt8]) -> [String] {
        var lines: [String] = []
        var rest = Substring(String(decoding: bytes, as: UTF8.self))
        while let end = rest.range(of: "\r\n\r\n") {
            let head = rest[..<end.lowerBound].components(separatedBy: "\r\n")
            lines.append(head[0])
            let length = head.dropFirst().compactMap { line -> Int? in
                guard line.lowercased().hasPrefix("content-length:") else { return nil }
                return Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
            }.first ?? 0
            rest = rest[end.upperBound...].dropFirst(length)
        }
        return lines
    }

    func testHTTP12IsServedAsHTTP11OnAPersistentConnection() throws {
        let s = try start()
        let c = try HTTPTestClient(port: s.port)
        // Two requests in one write: the second is only answered if the first left the
        // connection open, as HTTP/1.1 does by default.
        try c.send("GET /health HTTP/1.2\r\nHost: 127.0.0.1\r\n\r\n"
                   + "GET /echo?second HTTP/1.2\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        let raw = try c.readUntilClosed()
        let text = String(decoding: raw, as: UTF8.self)
        XCTAssertEqual(statusLines(raw), ["HTTP/1.1 200 OK", "HTTP/1.1 200 OK"], text)
        XCTAssertTrue(text.contains(#"{"status":"healthy"}"#), text)
        XCTAssertTrue(text.contains(#""query":"second""#), text)
        // Only the response to the request that asked for it announces the close.
        XCTAssertEqual(text.components(separatedBy: "\r\n").filter { $0.lowercased() == "connection: close" }.count, 1, text)
    }

    func testHTTP12KeepsTheConnectionOpenBetweenRequests() throws {
        let s = try start()
        let c = try HTTPTestClient(port: s.port)
        for n in 0..<3 {
            try c.send("GET /echo?n=\(n) HTTP/1.2\r\nHost: 127.0.0.1\r\n\r\n")
            let response = try c.readResponse()
            XCTAssertEqual(response.status, 200)
            XCTAssertNil(response.header("Connection"), "request \(n)")
        }
    }

    func testOtherMajorVersionsGet505AndTheConnectionCloses() throws {
        let s = try start()
        for version in ["HTTP/2.0", "HTTP/0.9", "HTTP/3.1"] {
            let c = try HTTPTestClient(port: s.port)
            try c.send("GET /health \(version)\r\nHost: 127.0.0.1\r\n\r\nGET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let raw = try c.readUntilClosed()
            // One answer, then the close: nothing after a bad request is processed.
            XCTAssertEqual(statusLines(raw), ["HTTP/1.1 505 HTTP Version Not Supported"], version)
        }
    }
}
