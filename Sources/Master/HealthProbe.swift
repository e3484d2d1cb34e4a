import Glibc
import Posix

/// One `GET` over a fresh non-blocking connection, the whole exchange
/// (connect, send, read) bounded by one deadline, so a server that accepts
/// and then says nothing fails the check in `timeout` seconds rather than
/// when the container runtime kills it.
struct HealthProbe {
    let address: SocketAddress
    /// Seconds for the whole exchange.
    let timeout: Double

    /// Why a probe got no answer, in words for the health log.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// A response larger than this is not a health answer.
    static let maximumResponse = 64 * 1024

    func get(_ path: String) throws -> HealthAnswer {
        let deadline = Clock.monotonicNanoseconds() + UInt64(timeout * 1e9)
        let fd = try Socket.stream(family: address.family, nonBlocking: true)
        // The answer (or the error) is what the caller needs; a failed close
        // of a probe's socket cannot change it.
        defer { fd.closeAfterFailure() }
        if case .wouldBlock = try Socket.startConnect(fd, to: address) {
            try wait(fd, for: Poll.writable, until: deadline, while: "connecting")
            if let e = try Socket.pendingError(fd) { throw SystemError("connect", e, context: address.description) }
        }
        try send(request(path), on: fd, until: deadline)
        return try receive(from: fd, until: deadline)
    }

    func request(_ path: String) -> [UInt8] {
        let host: String
        switch address {
        case .ipv4, .ipv6: host = address.description
        case .unix: host = "localhost"
        }
        return Array("GET \(path) HTTP/1.1\r\nHost: \(host)\r\nUser-Agent: paddock-healthcheck\r\nConnection: close\r\n\r\n".utf8)
    }

    private func send(_ bytes: [UInt8], on fd: FileDescriptor, until deadline: UInt64) throws {
        var sent = 0
        while sent < bytes.count {
            let result = try bytes[sent...].withUnsafeBytes { (p) throws in try fd.write(p) }
            switch result {
            case .done(let n): sent += n
            case .wouldBlock: try wait(fd, for: Poll.writable, until: deadline, while: "sending the request")
            }
        }
    }

    private func receive(from fd: FileDescriptor, until deadline: UInt64) throws -> HealthAnswer {
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let result = try chunk.withUnsafeMutableBytes { (p) throws in try fd.read(into: p) }
            switch result {
            case .done(0):
                if let answer = HealthAnswer(response, atEnd: true) { return answer }
                throw Failure(description: response.isEmpty ? "connection closed without an answer"
                                                            : "connection closed after \(response.count) bytes of an incomplete answer")
            case .done(let n):
                response += chunk[0..<n]
                if let answer = HealthAnswer(response, atEnd: false) { return answer }
                if HealthAnswer.isMalformed(response) || response.count > Self.maximumResponse {
                    throw Failure(description: "not an HTTP/1.x answer")
                }
            case .wouldBlock:
                try wait(fd, for: Poll.readable, until: deadline, while: "waiting for the answer")
            }
        }
    }

    /// Waits until `fd` has one of `events` (or an error, which the next
    /// call on it reports), or throws once the deadline passed.
    private func wait(_ fd: FileDescriptor, for events: Int16, until deadline: UInt64, while doing: String) throws {
        while true {
            let now = Clock.monotonicNanoseconds()
            guard now < deadline else {
                throw Failure(description: "no answer within \(timeout) s (\(doing))")
            }
            var fds = [pollfd(fd: fd.rawValue, events: events, revents: 0)]
            let milliseconds = Int32(min((deadline - now + 999_999) / 1_000_000, UInt64(Int32.max)))
            if try Poll.wait(&fds, timeoutMs: milliseconds) > 0 { return }
        }
    }
}
