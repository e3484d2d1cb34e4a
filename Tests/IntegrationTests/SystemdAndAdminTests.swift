import Foundation
import Glibc
import Posix
import ServerCore
import TestSupport
import XCTest

/// The real binaries against a fake systemd (the test owns NOTIFY_SOCKET and
/// passes the listener as LISTEN_FDS), the admin endpoints, the in-place
/// upgrade and the privilege drop.
final class SystemdAndAdminTests: ServerTestCase {
    /// Index of the first notification containing `text`, after `from`.
    func index(of text: String, in list: [String], from: Int = 0) -> Int? {
        list.indices.first { $0 >= from && list[$0].contains(text) }
    }

    func testNotificationSequenceForStartWatchdogReloadAndStop() throws {
        let s = try ServerProcess(arguments: ["--app", "echo", "--workers", "2"], environment: ["WATCHDOG_USEC": "200000"])
        server = s
        try s.waitReady()
        // Two watchdog pings at half the interval.
        try s.waitForNotification("WATCHDOG=1", timeout: 5)
        let firstPing = s.allNotifications().count
        try s.waitForNotification("WATCHDOG=1", timeout: 5, after: firstPing)
        try s.signal(SIGHUP)
        try s.waitForNotification("RELOADING=1", timeout: 10)
        try s.waitForNotification("reloaded", timeout: 20)
        try s.signal(SIGTERM)
        try s.waitForNotification("STOPPING=1", timeout: 10)
        XCTAssertEqual(try s.waitExit(timeout: 30), .exited(0))
        let n = s.allNotifications()
        let ready = try XCTUnwrap(index(of: "READY=1", in: n))
        XCTAssertTrue(n[ready].contains("MAINPID=\(s.pid)"), n[ready])
        let reloading = try XCTUnwrap(index(of: "RELOADING=1", in: n))
        XCTAssertGreaterThan(reloading, ready)
        XCTAssertTrue(n[reloading].contains("MONOTONIC_USEC="), n[reloading])
        let readyAgain = try XCTUnwrap(index(of: "READY=1", in: n, from: reloading + 1))
        let stopping = try XCTUnwrap(index(of: "STOPPING=1", in: n))
        XCTAssertLessThan(readyAgain, stopping)
        XCTAssertNotNil(index(of: "STATUS=", in: n))
        XCTAssertTrue(n.contains { $0.contains("WATCHDOG=1") })
    }

    func testUSR2KeepsPidAndListeningSocketAndReplacesWorkers() throws {
        let s = try ServerProcess(arguments: ["--app", "echo", "--workers", "2"])
        server = s
        try s.waitReady()
        let c = try HTTPTestClient(port: s.port)
        XCTAssertEqual(try c.request("GET", "/health").status, 200)
        let before = s.workerPids()
        try s.signal(SIGUSR2)
        try s.waitForNotification("reloaded", timeout: 30)
        XCTAssertNil(try s.reapIfExited(), "the master kept running")
        XCTAssertTrue(s.errorLog().contains("upgraded in place: pid \(s.pid) kept"))
        XCTAssertTrue(s.allNotifications().contains { $0.contains("MAINPID=\(s.pid)") })
        let after = s.workerPids()
        XCTAssertEqual(after.count, 2)
        for slot in 0..<2 { XCTAssertNotEqual(after[slot], before[slot], "slot \(slot) runs a new worker") }
        // The same socket still accepts, and the connection opened before the upgrade was served to the end.
        XCTAssertEqual(try HTTPTestClient(port: s.port).request("GET", "/echo").status, 200)
    }

    func testMetricsCountEveryRequestAndStatusListsWorkers() throws {
        let dir = try ServerProcess.makeTemporaryDirectory()
        let admin = dir + "/admin.sock"
        let s = try ServerProcess(arguments: ["--app", "echo", "--workers", "3", "--admin-bind", "unix:" + admin], directory: dir)
        server = s
        try s.waitReady()
        let sent = 57
        for i in 0..<sent {
            let c = try HTTPTestClient(port: s.port)
            let path = i % 3 == 0 ? "/nope" : "/echo?i=\(i)"
            _ = try c.request("GET", path, close: true)
        }
        // Admin endpoints never answer on the public port.
        XCTAssertEqual(try HTTPTestClient(port: s.port).request("GET", "/metrics").status, 404)
        let metrics = try HTTPTestClient(unixPath: admin).request("GET", "/metrics")
        XCTAssertEqual(metrics.status, 200)
        var total = 0, notFound = 0
        for line in metrics.bodyText.split(separator: "\n") where line.hasPrefix("paddock_requests_total{") {
            let value = Int(line.split(separator: " ").last ?? "") ?? -1
            total += value
            if line.contains("status=\"404\"") { notFound += value }
        }
        XCTAssertEqual(total, sent + 1, "every public request counted once (the 404 for /metrics included)")
        XCTAssertEqual(notFound, sent / 3 + (sent % 3 == 0 ? 0 : 1) + 1)
        XCTAssertTrue(metrics.bodyText.contains("paddock_request_duration_seconds_count \(sent + 1)"))
        XCTAssertTrue(metrics.bodyText.contains("paddock_workers_target 3"))
        let status = try HTTPTestClient(unixPath: admin).request("GET", "/status")
        let json = try XCTUnwrap(status.json)
        let workers = try XCTUnwrap(json["workers"] as? [[String: Any]])
        XCTAssertEqual(workers.count, 3)
        XCTAssertEqual(Set(workers.compactMap { $0["slot"] as? Int }), [0, 1, 2])
        XCTAssertEqual((json["master"] as? [String: Any])?["pid"] as? Int, Int(s.pid))

        // Totals survive a worker's death: its counts move to the master's totals.
        let victim = try XCTUnwrap(s.workerPids()[0])
        try Process.kill(victim, SIGKILL)
        try s.waitForLog { _ in (s.workerPids()[0] ?? victim) != victim }
        let again = try HTTPTestClient(unixPath: admin).request("GET", "/metrics")
        XCTAssertTrue(again.bodyText.contains("paddock_request_duration_seconds_count \(sent + 1)"), again.bodyText)
        XCTAssertTrue(again.bodyText.contains("paddock_worker_restarts_total{reason=\"crash\"} 1"))
        s.stopGracefully()
        XCTAssertEqual(s.unexpectedErrorLines(allowing: ["worker died slot=0"]), [])
        server = nil
    }

    func testWorkersDropToConfiguredUser() throws {
        guard Privileges.effectiveUserID == 0 else { throw XCTSkip("needs root to drop privileges") }
        let nobody = try Privileges.user("nobody")
        let s = try ServerProcess(arguments: ["--app", "echo", "--workers", "1", "--user", "nobody"])
        server = s
        try s.waitReady()
        XCTAssertEqual(try HTTPTestClient(port: s.port).request("GET", "/health").status, 200)
        let worker = try XCTUnwrap(s.workerPids()[0])
        let status = try String(contentsOfFile: "/proc/\(worker)/status", encoding: .utf8)
        let uidLine = try XCTUnwrap(status.split(separator: "\n").first { $0.hasPrefix("Uid:") })
        let uids = uidLine.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().compactMap { UInt32($0) }
        XCTAssertEqual(uids, [nobody.uid, nobody.uid, nobody.uid, nobody.uid], "real, effective, saved and fs uid")
        // The error log the master created belongs to the workers' user.
        var st = stat()
        XCTAssertEqual(lstat(s.errorLogPath, &st), 0)
        XCTAssertEqual(st.st_uid, nobody.uid)
        // The master itself stays root (it must be able to bind and signal).
        let masterStatus = try String(contentsOfFile: "/proc/\(s.pid)/status", encoding: .utf8)
        XCTAssertTrue(masterStatus.contains("Uid:\t0\t"))
    }
}
