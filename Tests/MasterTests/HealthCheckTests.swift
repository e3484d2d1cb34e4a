import XCTest
import Posix
import ServerCore
@testable import Master

/// `paddock healthcheck`'s decisions without a server: which address it
/// asks, its option, and how it reads an answer.
final class HealthCheckTests: XCTestCase {
    func testWildcardAddressesAreAskedOnLoopback() {
        XCTAssertEqual(HealthCheck.target(bind: ["0.0.0.0:8000"]), .ipv4("127.0.0.1", 8000))
        XCTAssertEqual(HealthCheck.target(bind: ["[::]:8080"]), .ipv6("::1", 8080))
        XCTAssertEqual(HealthCheck.target(bind: ["[0:0:0:0:0:0:0:0]:81"]), .ipv6("::1", 81))
    }

    func testSpecificAddressesAreAskedAsTheyAre() {
        XCTAssertEqual(HealthCheck.target(bind: ["10.1.2.3:9000"]), .ipv4("10.1.2.3", 9000))
        XCTAssertEqual(HealthCheck.target(bind: ["[::1]:9000"]), .ipv6("::1", 9000))
        XCTAssertEqual(HealthCheck.target(bind: ["[fe80::10]:9000"]), .ipv6("fe80::10", 9000))
        XCTAssertEqual(HealthCheck.target(bind: ["unix:/run/paddock/paddock.sock"]), .unix("/run/paddock/paddock.sock"))
    }

    func testTheFirstBindIsAsked() {
        XCTAssertEqual(HealthCheck.target(bind: ["unix:/tmp/a.sock", "0.0.0.0:8000"]), .unix("/tmp/a.sock"))
        XCTAssertEqual(HealthCheck.target(bind: ["0.0.0.0:8000", "unix:/tmp/a.sock"]), .ipv4("127.0.0.1", 8000))
        XCTAssertNil(HealthCheck.target(bind: []))
    }

    func testTheProbeTimeoutOptionIsTakenOutOfTheServerOptions() throws {
        let (timeout, rest) = try HealthCheck.splitOptions(["--bind", "0.0.0.0:8000", "--probe-timeout", "1.5", "--config", "x.conf"])
        XCTAssertEqual(timeout, 1.5)
        XCTAssertEqual(rest, ["--bind", "0.0.0.0:8000", "--config", "x.conf"])
        XCTAssertEqual(try HealthCheck.splitOptions(["--probe-timeout=500ms"]).timeout, 0.5)
        XCTAssertEqual(try HealthCheck.splitOptions(["--probe-timeout", "2s"]).timeout, 2)
        XCTAssertEqual(try HealthCheck.splitOptions([]).timeout, HealthCheck.defaultTimeout)
    }

    func testABadProbeTimeoutIsAnErrorNamingTheOption() {
        for bad in [["--probe-timeout"], ["--probe-timeout", "0"], ["--probe-timeout", "soon"], ["--probe-timeout=61"]] {
            XCTAssertThrowsError(try HealthCheck.splitOptions(bad), "\(bad)") { error in
                XCTAssertTrue("\(error)".contains("--probe-timeout"), "\(error)")
            }
        }
    }

    func testTheDefaultTimeoutIsBelowTheContainerRuntimesTimeout() {
        // The Containerfile gives the whole check 5 s; the probe must give up first and say why.
        XCTAssertLessThan(HealthCheck.defaultTimeout, 5)
    }

    func testAnAnswerWithContentLengthIsCompleteWithoutTheClose() {
        let bytes = Array("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n{\"status\":\"unready\"}".utf8)
        XCTAssertEqual(HealthAnswer(bytes, atEnd: false), HealthAnswer(status: 503, body: "{\"status\":\"unready\"}"))
        XCTAssertNil(HealthAnswer(Array(bytes.dropLast(3)), atEnd: false), "the body is not all there")
        XCTAssertNil(HealthAnswer(Array(bytes.prefix(30)), atEnd: false), "the head is not all there")
    }

    func testAnAnswerWithoutLengthEndsAtTheClose() {
        let bytes = Array("HTTP/1.0 200 OK\r\nServer: x\r\n\r\nready".utf8)
        XCTAssertNil(HealthAnswer(bytes, atEnd: false))
        XCTAssertEqual(HealthAnswer(bytes, atEnd: true), HealthAnswer(status: 200, body: "ready"))
    }

    func testWhatIsNotAnHTTPAnswerIsMalformed() {
        XCTAssertTrue(HealthAnswer.isMalformed(Array("SSH-2.0-OpenSSH_9.2\r\n".utf8)))
        XCTAssertTrue(HealthAnswer.isMalformed(Array("HTTP/1.1 2000 OK\r\n".utf8)))
        XCTAssertTrue(HealthAnswer.isMalformed(Array("\u{16}\u{03}\u{01}\u{02}\u{00}".utf8)), "a TLS record")
        XCTAssertFalse(HealthAnswer.isMalformed(Array("HTTP/1.1 20".utf8)), "only incomplete so far")
        XCTAssertFalse(HealthAnswer.isMalformed(Array("HTTP/1.1 200 OK\r\n".utf8)))
        XCTAssertNil(HealthAnswer(Array("HTTP/2 200\r\n\r\n".utf8), atEnd: true))
    }

    func testTheRequestAsksForReadinessAndCloses() {
        let text = String(decoding: HealthProbe(address: .ipv4("127.0.0.1", 8000), timeout: 1).request("/health/ready"), as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("GET /health/ready HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n"), text)
        XCTAssertTrue(text.contains("\r\nConnection: close\r\n"), text)
        XCTAssertTrue(text.hasSuffix("\r\n\r\n"), text)
        let unix = String(decoding: HealthProbe(address: .unix("/tmp/p.sock"), timeout: 1).request("/health/ready"), as: UTF8.self)
        XCTAssertTrue(unix.contains("\r\nHost: localhost\r\n"), unix)
    }
}
