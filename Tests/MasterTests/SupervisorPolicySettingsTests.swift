import XCTest
import Posix
import ServerCore
@testable import Master

/// The supervisor's policy is built from a configuration: its defaults are
/// the settings table's, and a config file changes what it decides.
final class SupervisorPolicySettingsTests: XCTestCase {
    let ms: UInt64 = 1_000_000
    let s: UInt64 = 1_000_000_000

    func policy(_ text: String) throws -> Supervisor.Policy {
        Supervisor.Policy(configuration: try ConfigLoader.parse(text: text, path: "server.conf"))
    }

    func testDefaultsAreTheTables() throws {
        let p = Supervisor.Policy(workers: 2, gracefulTimeout: .seconds(30))
        XCTAssertEqual(p, try policy("workers = 2\n"))
        XCTAssertEqual(p.quickStopTimeout, Settings.quickStopTimeout.defaultValue)
        XCTAssertEqual(p.quickStopTimeout, .seconds(2), "the value before it was a setting")
        XCTAssertEqual(p.backoffCap, .seconds(30), "the value before it was a setting")
        XCTAssertEqual(p.bootTimeout, Settings.bootTimeout.defaultValue)
        XCTAssertEqual(p.timeout, Settings.timeout.defaultValue)
        XCTAssertEqual(p.abortGrace, Settings.abortGrace.defaultValue)
    }

    func testBootBackoffMaxCapsTheRetryDelay() throws {
        var sup = Supervisor(policy: try policy("workers = 1\nboot_backoff_max = 1s\n"))
        var now: UInt64 = 0
        _ = sup.start(now: now)
        var delays: [UInt64] = []
        for pid: Int32 in 500..<508 {
            _ = sup.spawned(slot: 0, pid: pid, generation: 1, now: now)
            _ = sup.exited(pid: pid, status: .exited(WorkerExitCode.appLoadFailed.rawValue), now: now)
            guard let next = sup.nextDeadline() else { return XCTFail("a retry must be scheduled") }
            delays.append(next - now)
            now = next
            _ = sup.tick(now: now)
        }
        XCTAssertEqual(Array(delays.prefix(4)), [100 * ms, 200 * ms, 400 * ms, 800 * ms])
        XCTAssertEqual(delays.last, 1 * s, "capped by boot_backoff_max, not 30 s")
    }

    func testQuickStopTimeoutDecidesWhenQuittingWorkersAreKilled() throws {
        var sup = Supervisor(policy: try policy("workers = 1\nquick_stop_timeout = 500ms\n"))
        _ = sup.start(now: 0)
        _ = sup.spawned(slot: 0, pid: 100, generation: 1, now: 0)
        _ = sup.ready(pid: 100, now: 1)
        XCTAssertTrue(sup.stop(graceful: false, now: 10 * ms).contains(.send(pid: 100, .quit)))
        XCTAssertFalse(sup.tick(now: 10 * ms + 500 * ms - 1).contains(.killGroup(pid: 100)))
        XCTAssertTrue(sup.tick(now: 10 * ms + 500 * ms).contains(.killGroup(pid: 100)), "killed at 500 ms, not 2 s")
    }
}
