import Foundation
import Glibc
import Posix
import TestSupport
import XCTest

/// An application built on the `Paddock` product alone
/// (`Sources/PaddockExampleTestApp`), run as its own binary: its setting is
/// part of the table, its routes are served by workers that are the same
/// executable, and the master's operations work on it as on `paddock`. (HUP
/// under load and TERM are checked on the example package's own binary, in
/// ExampleBinaryTests.)
final class LibraryApplicationTests: XCTestCase {
    let binary = ServerProcess.exampleAppBinary

    func start(_ arguments: [String] = [], workers: Int = 2) throws -> ServerProcess {
        let s = try ServerProcess(arguments: ["--workers", "\(workers)", "--boot-timeout", "60"] + arguments, binary: binary)
        addTeardownBlock { s.stop() }
        try s.waitReady(timeout: 60)
        return s
    }

    func get(_ s: ServerProcess, _ target: String, method: String = "GET", body: String = "") throws -> HTTPTestClient.Response {
        try HTTPTestClient(port: s.port, timeout: 10).request(method, target, body: Array(body.utf8), close: true)
    }

    func testHelpPrintConfigAndUnknownKeysKnowTheApplicationsSetting() throws {
        let help = try ServerProcess.run(["--help"], binary: binary)
        XCTAssertEqual(help.status, .exited(0), help.stderr)
        XCTAssertTrue(help.stdout.contains("--greeting TEXT"), help.stdout)
        XCTAssertTrue(help.stdout.contains("The word the greeter says before the name."), help.stdout)

        let printed = try ServerProcess.run(["--print-config", "--greeting", "Howdy"], binary: binary)
        XCTAssertEqual(printed.status, .exited(0), printed.stderr)
        XCTAssertTrue(printed.stdout.contains("greeting = Howdy\n"), printed.stdout)

        let dir = try ServerProcess.makeTemporaryDirectory()
        defer { ServerProcess.removeTemporaryDirectory(dir) }
        try "greting = \"Hi\"\n".write(toFile: dir + "/server.conf", atomically: true, encoding: .utf8)
        let unknown = try ServerProcess.run(["--check-config", "--config", dir + "/server.conf"], binary: binary)
        XCTAssertEqual(unknown.status, .exited(2), unknown.stdout)
        XCTAssertTrue(unknown.stderr.contains(#"unknown setting "greting" (did you mean "greeting"?)"#), unknown.stderr)

        let viaEnvironment = try ServerProcess.run(["--print-config"], binary: binary, environment: ["PADDOCK_GREETING": "Hey"])
        XCTAssertTrue(viaEnvironment.stdout.contains("greeting = Hey\n"), viaEnvironment.stdout)
    }

    func testServesItsRoutesWithParametersAnd405() throws {
        let s = try start(["--greeting", "Howdy"])
        let hello = try get(s, "/hello/Ada%20L")
        XCTAssertEqual(hello.status, 200, hello.bodyText)
        XCTAssertEqual(hello.json?["message"] as? String, "Howdy, Ada L!")
        XCTAssertEqual(try get(s, "/items/42").bodyText, #"{"id":42,"name":"item"}"#)
        XCTAssertEqual(try get(s, "/items/x").status, 404)
        let renamed = try get(s, "/items/7", method: "PUT", body: #"{"id":0,"name":"lamp"}"#)
        XCTAssertEqual(renamed.bodyText, #"{"id":7,"name":"lamp"}"#)
        XCTAssertEqual(try get(s, "/items/7", method: "PUT", body: #"{"name":"lamp"}"#).status, 400)
        let wrong = try get(s, "/items/42", method: "POST")
        XCTAssertEqual(wrong.status, 405)
        XCTAssertEqual(wrong.header("Allow"), "GET, PUT, HEAD, OPTIONS")
        XCTAssertEqual(try get(s, "/nowhere").status, 404)
        // The server's own routes are there too.
        XCTAssertEqual(try get(s, "/health").status, 200)
        XCTAssertEqual(try get(s, "/health/ready").status, 200)
        // Workers are this executable, not another binary.
        for pid in s.workerPids().values {
            let exe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")
            XCTAssertEqual(exe, try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(s.pid)/exe"))
        }
        XCTAssertEqual(s.unexpectedErrorLines(allowing: ["PUT /items/7: "]), [])
    }

    /// A deploy replaces the file (a new inode at the same path); the
    /// master resolved the path at its start, so the workers of the next HUP
    /// run the new file while the master keeps running the old one.
    func testHupAfterADeployRunsTheNewFileAtTheMastersPath() throws {
        let dir = try ServerProcess.makeTemporaryDirectory("paddock-deploy")
        defer { ServerProcess.removeTemporaryDirectory(dir) }
        let path = dir + "/greeter"
        try FileManager.default.copyItem(atPath: binary, toPath: path)
        let s = try ServerProcess(arguments: ["--workers", "1", "--boot-timeout", "60"], binary: path)
        addTeardownBlock { s.stop() }
        try s.waitReady(timeout: 60)
        let before = try XCTUnwrap(s.workerPids()[0])

        try FileManager.default.copyItem(atPath: binary, toPath: path + ".new")
        XCTAssertEqual(rename(path + ".new", path), 0)
        let newInode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? UInt64)

        let mark = try s.notificationMark()
        try s.signal(SIGHUP)
        let done = try s.waitForNotification("READY=1", after: mark, timeout: 60)
        XCTAssertTrue(done.contains("STATUS=reloaded: generation 2"), done)
        let after = try XCTUnwrap(s.workerPids()[0])
        XCTAssertNotEqual(after, before)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(after)/exe"), path)
        var st = stat()
        XCTAssertEqual(stat("/proc/\(after)/exe", &st), 0)
        XCTAssertEqual(UInt64(st.st_ino), newInode, "the new worker runs the file installed before the HUP")
        XCTAssertTrue(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(s.pid)/exe").hasSuffix(" (deleted)"),
                      "the master keeps the file it started from")
        XCTAssertEqual(try get(s, "/hello/again").status, 200)
        XCTAssertEqual(s.unexpectedErrorLines(), [])
    }
}
