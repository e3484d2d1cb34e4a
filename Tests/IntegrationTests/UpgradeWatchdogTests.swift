import Foundation
import Glibc
import Posix
import ServerCore
import TestSupport
import XCTest

/// After USR2 the master is the same process, so systemd's watchdog still
/// watches it: the new image must go on pinging, or systemd kills a healthy
/// server one WatchdogSec after every in-place upgrade.
final class UpgradeWatchdogTests: ServerTestCase {
    func testWatchdogPingsContinueAfterAnInPlaceUpgrade() throws {
        let s = try ServerProcess(arguments: ["--app", "echo", "--workers", "2"],
                                  environment: ["WATCHDOG_USEC": "400000"])
        server = s
        try s.waitReady()
        try s.waitForNotification("WATCHDOG=1", timeout: 5)
        let mark = try s.notificationMark()
        try s.signal(SIGUSR2)
        try s.waitForNotification("reloaded", timeout: 30, after: mark)
        XCTAssertTrue(s.errorLog().contains("upgraded in place: pid \(s.pid) kept"), s.errorLog())
        // Two pings from the new image, each within its half interval (0.2 s), with a wide margin.
        let upgraded = try s.notificationMark()
        try s.waitForNotification("WATCHDOG=1", timeout: 5, after: upgraded)
        let again = try s.notificationMark()
        try s.waitForNotification("WATCHDOG=1", timeout: 5, after: again)
    }
}
