import Foundation
import Glibc
import Posix
import ServerCore
import TestSupport
import XCTest

/// systemd's socket (LISTEN_FDS) and a `bind` naming the same address: the
/// inherited socket satisfies that entry, so the master binds nothing there
/// (it used to, and failed with "Address already in use" in a restart loop).
final class SocketActivationBindTests: ServerTestCase {
    func assertServesOnlyTheInheritedSocket(_ s: ServerProcess) throws {
        try s.waitReady()
        let client = try HTTPTestClient(port: s.port)
        for _ in 0..<5 { XCTAssertEqual(try client.request("GET", "/health").status, 200) }
        // One listener, the inherited one: the master did not add a second socket.
        let listening = try XCTUnwrap(s.errorLog().split(separator: "\n").first { $0.contains("listening on") }, s.errorLog())
        XCTAssertTrue(listening.hasSuffix("listening on 127.0.0.1:\(s.port) with 2 workers"), String(listening))
    }

    func testBindFlagNamingTheInheritedSocketsAddressUsesThatSocket() throws {
        let socket = try Socket.listen(on: .ipv4("127.0.0.1", 0), backlog: 128)
        defer { socket.closeAfterFailure() }
        guard case .ipv4(_, let port)? = try Socket.localAddress(socket) else { return XCTFail("no port") }
        let s = try ServerProcess(arguments: ["--app", "echo", "--workers", "2", "--bind", "127.0.0.1:\(port)"], listener: socket)
        server = s
        try assertServesOnlyTheInheritedSocket(s)
    }

    func testConfigFileBindSpelledDifferentlyStillMatches() throws {
        let socket = try Socket.listen(on: .ipv4("127.0.0.1", 0), backlog: 128)
        defer { socket.closeAfterFailure() }
        guard case .ipv4(_, let port)? = try Socket.localAddress(socket) else { return XCTFail("no port") }
        // `localhost:PORT` is 127.0.0.1:PORT, the address getsockname reports.
        let s = try ServerProcess(arguments: [], listener: socket,
                                  configText: "app = echo\nworkers = 2\nbind = localhost:\(port)\n")
        server = s
        try assertServesOnlyTheInheritedSocket(s)
    }
}
