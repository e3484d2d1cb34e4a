import Foundation
import Glibc
import TestSupport
import XCTest

/// The example package's own binary (`Examples/hello`), not a stand-in:
/// its `--help` lists its setting, HUP replaces its workers without a failed
/// request, TERM stops it gracefully with status 0.
///
/// How it is built: Paddock's Package.swift declares the targets `HelloApp`
/// and `hello` with `path:` set to `Examples/hello/Sources/...`, so this
/// package compiles the example's very files, with the same dependencies, in
/// the build the tests already run (a few seconds more). Building the example
/// package itself from the tests would take a `.build` of its own and compile
/// Paddock a second time: 3 min 23 s measured on the shared 2-core machine, for
/// the same code. `.ci/run` still builds and tests `Examples/hello` on its
/// own, which keeps its Package.swift honest.
final class ExampleBinaryTests: XCTestCase {
    let binary = ServerProcess.helloBinary

    func testHelpListsTheExamplesOwnSetting() throws {
        let help = try ServerProcess.run(["--help"], binary: binary)
        XCTAssertEqual(help.status, .exited(0), help.stderr)
        XCTAssertTrue(help.stdout.contains("--hello-greeting TEXT"), help.stdout)
        XCTAssertTrue(help.stdout.contains("The word said before the name on /hello/NAME."), help.stdout)
        XCTAssertTrue(help.stdout.contains("--workers"), "the server's settings are there too")
    }

    func testHupReplacesWorkersWithoutAFailedRequestAndTermExitsZero() throws {
        let dir = try ServerProcess.makeTemporaryDirectory("paddock-hello")
        let s = try ServerProcess(arguments: ["--workers", "2", "--boot-timeout", "60", "--hello-greeting", "Howdy",
                                              "--database-url", "sqlite:///hello.db"],
                                  directory: dir, binary: binary)
        addTeardownBlock { s.stop() }
        try s.waitReady(timeout: 60)
        let hello = try HTTPTestClient(port: s.port, timeout: 10).request("GET", "/hello/Ada", close: true)
        XCTAssertEqual(hello.json?["message"] as? String, "Howdy, Ada!", hello.bodyText)
        let note = try HTTPTestClient(port: s.port, timeout: 10).request("POST", "/notes", headers: [("Content-Type", "application/json")],
                                                                         body: Array(#"{"text":"milk"}"#.utf8), close: true)
        XCTAssertEqual(note.status, 201, note.bodyText)

        let before = s.workerPids()
        XCTAssertEqual(before.keys.sorted(), [0, 1])
        let load = LoadGenerator(port: s.port, threads: 3, maxDuration: 40) { t, i in i % 2 == 0 ? "/hello/t\(t)i\(i)" : "/notes" }
        load.start()
        XCTAssertTrue(load.waitForProgress(30, timeout: 20), "the load did not get going")
        let mark = try s.notificationMark()
        try s.signal(SIGHUP)
        let done = try s.waitForNotification("READY=1", after: mark, timeout: 60)
        XCTAssertTrue(done.contains("STATUS=reloaded: generation 2"), done)
        let progress = load.succeededSoFar
        XCTAssertTrue(load.waitForProgress(progress + 30, timeout: 20), "no requests served after the reload")
        let result = load.stop()
        XCTAssertEqual(result.failures, [], "requests failed during the reload")
        let after = s.workerPids()
        XCTAssertEqual(after.keys.sorted(), [0, 1])
        for slot in 0..<2 { XCTAssertNotEqual(after[slot], before[slot], "slot \(slot) kept its worker") }
        let masterExe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(s.pid)/exe")
        XCTAssertTrue(masterExe.hasSuffix("/hello"), masterExe)
        for pid in after.values {
            XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe"), masterExe,
                           "workers are the example's executable")
        }

        try s.signal(SIGTERM)
        XCTAssertEqual(try s.waitExit(timeout: 60), .exited(0))
        XCTAssertEqual(s.unexpectedErrorLines(), [])
    }
}
