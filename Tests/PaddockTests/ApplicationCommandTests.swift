import Paddock
import XCTest

/// An application's command: its own options taken out, the rest read as
/// settings, usage errors answered with status 2.
final class ApplicationCommandTests: XCTestCase {
    final class Seen: @unchecked Sendable {
        var count: Int?
        var force = false
        var workers: Int?
    }

    func command(_ seen: Seen) -> ApplicationCommand {
        ApplicationCommand("fill", usage: "usage: app fill [--count N] [--force] [settings...]",
                           options: ["--count": true, "--force": false]) { run in
            seen.count = try run.count("--count", default: 10)
            seen.force = run.options["--force"] != nil
            seen.workers = run.configuration[Settings.workers]
        }
    }

    func testOptionsAreTakenOutAndTheRestAreSettings() {
        let seen = Seen()
        XCTAssertEqual(command(seen).run(["--count", "3", "--workers", "5", "--force"], programName: "app"), 0)
        XCTAssertEqual(seen.count, 3)
        XCTAssertTrue(seen.force)
        XCTAssertEqual(seen.workers, 5)

        let defaults = Seen()
        XCTAssertEqual(command(defaults).run([], programName: "app"), 0)
        XCTAssertEqual(defaults.count, 10)
        XCTAssertFalse(defaults.force)
    }

    func testUsageAndConfigurationErrorsExitTwo() {
        let seen = Seen()
        XCTAssertEqual(command(seen).run(["--count", "-1"], programName: "app"), 2)
        XCTAssertEqual(command(seen).run(["--count"], programName: "app"), 2)
        XCTAssertEqual(command(seen).run(["--no-such-setting", "1"], programName: "app"), 2)
        XCTAssertNil(seen.workers, "the action ran despite the error")
    }

    func testAFailingActionExitsOne() {
        struct Failed: Error {}
        let failing = ApplicationCommand("fail", usage: "usage: app fail") { _ in throw Failed() }
        XCTAssertEqual(failing.run([], programName: "app"), 1)
    }
}
