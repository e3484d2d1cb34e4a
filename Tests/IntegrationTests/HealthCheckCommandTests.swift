import Foundation
import Glibc
import Posix
import ServerCore
import TestSupport
import XCTest

/// `paddock healthcheck`, the real binary, against a real server and
/// against listeners that answer badly or not at all: exit 0 only on a 200
/// from /health/ready, 1 otherwise, and never slower than its timeout.
final class HealthCheckCommandTests: ServerTestCase {
    func testAReadyServerIsHealthy() throws {
        let s = try ServerProcess(arguments: ["--app", "echo", "--workers", "1"])
        server = s
        try s.waitReady()
        let result = try ServerProcess.run(["healthcheck", "--bind", "127.0.0.1:\(s.port)"], timeout: 20)
        XCTAssertEqual(result.status, .exited(0), result.stderr)
        XCTAssertTrue(result.stdout.contains("127.0.0.1:\(s.port) /health/ready: 200"), result.stdout)
    }

    func testTheBindComesFromTheEnvironmentAndAWildcardIsAskedOnLoopback() throws {
        // The container's case: PADDOCK_BIND=0.0.0.0:PORT and no flags.
        let s = try ServerProcess(arguments: ["--app", "echo", "--workers", "1"])
        server = s
        try s.waitReady()
        let result = try ServerProcess.run(["healthcheck"], environment: ["PADDOCK_BIND": "0.0.0.0:\(s.port)"], timeout: 20)
        XCTAssertEqual(result.status, .exited(0), result.stderr)
        XCTAssertTrue(result.stdout.contains("127.0.0.1:\(s.port)"), result.stdout)
    }

    func testAServerThatIsStoppingIsUnhealthy() throws {
        let s = try ServerProcess(arguments: ["--app", "echo", "--workers", "1", "--shutdown-delay", "20"])
        server = s
        try s.waitReady()
        try s.signal(SIGTERM)
        try s.waitForLog { $0.contains("shutdown_delay") }
        // The worker turns unready when the master's message reaches it: bounded retries.
        var last: (status: ExitStatus, stdout: String, stderr: String)?
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let result = try ServerProcess.run(["healthcheck", "--bind", "127.0.0.1:\(s.port)"], timeout: 20)
            last = result
            if result.status != .exited(0) { break }
            Clock.sleep(milliseconds: 50)
        }
        XCTAssertEqual(last?.status, .exited(1), last?.stdout ?? "")
        XCTAssertTrue(last?.stderr.contains("/health/ready: 503") == true, last?.stderr ?? "")
        XCTAssertNil(try s.reapIfExited(), "the server stopped before its shutdown_delay")
        _ = Glibc.kill(s.pid, SIGINT)
        XCTAssertEqual(try s.waitExit(timeout: 20), .exited(0))
    }

    func testA503IsUnhealthyAndItsBodyIsReported() throws {
        let body = "{\"error\":\"database unavailable\"}"
        let fake = try OneAnswerServer(address: .ipv4("127.0.0.1", 0),
                                       answer: "HTTP/1.1 503 Service Unavailable\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
        let result = try ServerProcess.run(["healthcheck", "--bind", fake.bind], timeout: 20)
        XCTAssertEqual(result.status, .exited(1), result.stdout)
        XCTAssertTrue(result.stderr.contains("/health/ready: 503 {\"error\":\"database unavailable\""), "\(result)")
        let request = try XCTUnwrap(fake.finish())
        XCTAssertTrue(request.hasPrefix("GET /health/ready HTTP/1.1\r\n"), request)
    }

    func testAUnixSocketBindIsAsked() throws {
        let dir = try ServerProcess.makeTemporaryDirectory()
        defer { ServerProcess.removeTemporaryDirectory(dir) }
        let path = dir + "/paddock.sock"
        let fake = try OneAnswerServer(address: .unix(path), answer: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        let result = try ServerProcess.run(["healthcheck", "--bind", "unix:\(path)"], timeout: 20)
        XCTAssertEqual(result.status, .exited(0), result.stderr)
        let request = try XCTUnwrap(fake.finish())
        XCTAssertTrue(request.hasPrefix("GET /health/ready HTTP/1.1\r\nHost: localhost\r\n"), request)
    }

    func testNothingListeningIsUnhealthyAtOnce() throws {
        // A port nobody listens on: bound, then closed.
        let fd = try Socket.listen(on: .ipv4("127.0.0.1", 0), backlog: 1)
        guard case .ipv4(_, let port)? = try Socket.localAddress(fd) else { return XCTFail("no port") }
        try fd.close()
        let started = Date()
        let result = try ServerProcess.run(["healthcheck", "--bind", "127.0.0.1:\(port)"], timeout: 20)
        XCTAssertEqual(result.status, .exited(1))
        XCTAssertTrue(result.stderr.contains("Connection refused"), result.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 3, "a refused connection must not wait for the timeout")
    }

    func testAListenerThatNeverAnswersFailsWithinTheProbeTimeout() throws {
        // Listening but never accepting: the kernel completes the handshake, nobody answers.
        let fd = try Socket.listen(on: .ipv4("127.0.0.1", 0), backlog: 4)
        defer { fd.closeAfterFailure() }
        guard case .ipv4(_, let port)? = try Socket.localAddress(fd) else { return XCTFail("no port") }
        let started = Date()
        let result = try ServerProcess.run(["healthcheck", "--probe-timeout", "500ms", "--bind", "127.0.0.1:\(port)"], timeout: 20)
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(result.status, .exited(1))
        XCTAssertTrue(result.stderr.contains("no answer within 0.5 s"), result.stderr)
        XCTAssertGreaterThanOrEqual(elapsed, 0.45)
        XCTAssertLessThan(elapsed, 4, "the probe outlived its timeout")
    }

    func testAnUnreadableConfigurationIsUnhealthyNotAnotherExitCode() throws {
        // Docker and podman reserve exit code 2; every failure is 1.
        let result = try ServerProcess.run(["healthcheck", "--workers", "many"], timeout: 20)
        XCTAssertEqual(result.status, .exited(1))
        XCTAssertTrue(result.stderr.contains("--workers"), result.stderr)
    }
}

/// A listener in the test that accepts one connection, reads the request
/// head, sends a canned answer and closes.
private final class OneAnswerServer: @unchecked Sendable {
    let listener: FileDescriptor
    let bind: String
    private let done = DispatchSemaphore(value: 0)
    private var request: String?
    private var failure: String?

    init(address: SocketAddress, answer: String) throws {
        listener = try Socket.listen(on: address, backlog: 4)
        switch try Socket.localAddress(listener) {
        case .ipv4(let host, let port)?: bind = "\(host):\(port)"
        default: bind = address.description
        }
        let thread = Thread { [self] in
            defer { done.signal() }
            do { request = try exchange(answer) } catch { failure = "\(error)" }
        }
        thread.start()
    }

    private func exchange(_ answer: String) throws -> String {
        guard case .done(let (fd, _)) = try Socket.acceptWithPeer(listener) else { throw ServerError(message: "accept would block") }
        defer { fd.closeAfterFailure() }
        // accept4 gave it O_NONBLOCK; this side simply waits for the request.
        try fd.setNonBlocking(false)
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: received, as: UTF8.self).contains("\r\n\r\n") {
            guard case .done(let n) = try chunk.withUnsafeMutableBytes({ try fd.read(into: $0) }), n > 0 else { break }
            received += chunk[0..<n]
        }
        try fd.writeAll(answer)
        return String(decoding: received, as: UTF8.self)
    }

    /// Waits (bounded) for the exchange and returns the request received.
    func finish() throws -> String? {
        guard done.wait(timeout: .now() + 10) == .success else { throw ServerError(message: "no connection within 10 s") }
        listener.closeAfterFailure()
        if let failure { throw ServerError(message: failure) }
        return request
    }
}
