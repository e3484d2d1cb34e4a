import Foundation
import Glibc
import Posix

/// A raw HTTP/1.1 client over a blocking socket with a receive timeout, for
/// tests that need exact bytes on the wire (pipelining, malformed requests).
public final class HTTPTestClient: @unchecked Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: [UInt8]
        public var bodyText: String { String(decoding: body, as: UTF8.self) }
        public func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
        public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
    }

    public let fd: FileDescriptor
    var buffer: [UInt8] = []

    public init(port: UInt16, host: String = "127.0.0.1", timeout: Double = 10) throws {
        let v6 = host.contains(":")
        fd = try Socket.stream(family: v6 ? AF_INET6 : AF_INET)
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1e6))
        _ = try syscall("setsockopt") { setsockopt(fd.rawValue, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size)) }
        try Socket.connect(fd, to: v6 ? .ipv6(host, port) : .ipv4(host, port))
    }

    /// Connects to a Unix-domain socket (admin listeners in tests).
    public init(unixPath: String, timeout: Double = 10) throws {
        fd = try Socket.stream(family: AF_UNIX)
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        _ = try syscall("setsockopt") { setsockopt(fd.rawValue, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size)) }
        try Socket.connect(fd, to: .unix(unixPath))
    }

    deinit { fd.closeAfterFailure() }

    public func send(_ text: String) throws { try fd.writeAll(text) }
    public func send(bytes: [UInt8]) throws { try fd.writeAll(bytes) }

    /// Sends a simple request and reads its response.
    public func request(_ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = [],
                        close: Bool = false) throws -> Response {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (n, v) in headers { text += "\(n): \(v)\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" { text += "Content-Length: \(body.count)\r\n" }
        if close { text += "Connection: close\r\n" }
        text += "\r\n"
        try send(bytes: Array(text.utf8) + body)
        return try readResponse(headRequest: method == "HEAD")
    }

    /// Reads bytes until the peer closes or the timeout; returns them.
    public func readUntilClosed() throws -> [UInt8] {
        var out = buffer
        buffer = []
        while true {
            let chunk = try readSome()
            if chunk.isEmpty { return out }
            out += chunk
        }
    }

    /// True if the server closed the connection (EOF) within the timeout.
    public func isClosedByPeer() throws -> Bool {
        if !buffer.isEmpty { return false }
        do { return try readSome().isEmpty } catch let e as SystemError where e.errno == .ECONNRESET { return true }
    }

    func readSome() throws -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = try chunk.withUnsafeMutableBytes { p in try syscall("recv") { Glibc.recv(fd.rawValue, p.baseAddress, p.count, 0) } }
        return Array(chunk[0..<n])
    }

    /// Reads one response (Content-Length or chunked framing, or until close).
    public func readResponse(headRequest: Bool = false) throws -> Response {
        while true {
            if let end = find([13, 10, 13, 10], in: buffer) {
                let head = String(decoding: buffer[0..<end], as: UTF8.self)
                var lines = head.components(separatedBy: "\r\n")
                let statusLine = lines.removeFirst()
                let parts = statusLine.split(separator: " ", maxSplits: 2)
                guard parts.count >= 2, let status = Int(parts[1]) else { throw ServerError(message: "bad status line \(statusLine)") }
                let headers: [(String, String)] = lines.compactMap { l in
                    guard let c = l.firstIndex(of: ":") else { return nil }
                    return (String(l[..<c]), l[l.index(after: c)...].trimmingCharacters(in: .whitespaces))
                }
                var rest = Array(buffer[(end + 4)...])
                let response = Response(status: status, headers: headers, body: [])
                if status == 100 { buffer = rest; continue }
                if headRequest || status == 204 || status == 304 {
                    buffer = rest
                    return response
                }
                if let cl = response.header("Content-Length").flatMap(Int.init) {
                    while rest.count < cl {
                        let more = try readSome()
                        if more.isEmpty { throw ServerError(message: "connection closed mid-body") }
                        rest += more
                    }
                    buffer = Array(rest[cl...])
                    var r = response
                    r.body = Array(rest[0..<cl])
                    return r
                }
                // No length: body runs to close.
                buffer = rest
                var r = response
                r.body = try readUntilClosed()
                return r
            }
            let more = try readSome()
            if more.isEmpty { throw ServerError(message: "connection closed before a response (got \(buffer.count) bytes)") }
            buffer += more
        }
    }

    func find(_ needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        for i in 0...(hay.count - needle.count) where hay[i] == needle[0] && Array(hay[i..<(i + needle.count)]) == needle { return i }
        return nil
    }
}
