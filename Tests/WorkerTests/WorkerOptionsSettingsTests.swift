import XCTest
import ServerCore
@testable import Worker

/// The worker's timings come from the settings table, so a config file
/// changes them; nothing is hard-coded beside the table's defaults.
final class WorkerOptionsSettingsTests: XCTestCase {
    let s: UInt64 = 1_000_000_000

    func options(_ text: String) throws -> EventLoop.Options {
        try WorkerMain.options(try ConfigLoader.parse(text: text, path: "server.conf"))
    }

    func testDefaultsAreTheTables() throws {
        let o = try options("")
        XCTAssertEqual(o.lingerTime, Settings.lingerTime.defaultValue.nanoseconds)
        XCTAssertEqual(o.lingerTime, 2 * s, "the value before it was a setting")
        XCTAssertEqual(o.quickStopGrace, 2 * s)
        XCTAssertEqual(o.connectionTimeouts.drainIdle, 1 * s)
        XCTAssertEqual(o.writeTimeout, 30 * s)
        XCTAssertEqual(o.pressureSilentTimeout, 2 * s, "the value before it was a setting")
    }

    func testPressureSilentTimeoutFromTheConfigFile() throws {
        let o = try options("pressure_silent_timeout = 300ms\n")
        XCTAssertEqual(o.pressureSilentTimeout, 300_000_000)
        let pressure = ConnectionPressure(capacity: 4, silentTimeout: o.pressureSilentTimeout)
        XCTAssertFalse(pressure.silentExpired(acceptedAt: 0, open: 3, now: 300_000_000 - 1))
        XCTAssertTrue(pressure.silentExpired(acceptedAt: 0, open: 3, now: 300_000_000), "closed at 300 ms, not 2 s")
    }

    func testLingerTimeFromTheConfigFileChangesHowLongAClosingConnectionLingers() throws {
        let timeouts = try options("linger_time = 5s\n").connectionTimeouts
        var m = ConnectionMachine(timeouts: timeouts, flow: OutputFlow(highWater: 64 << 10, writeTimeout: 20 * s), now: 0)
        m.lingering(now: 1 * s)
        XCTAssertNil(m.expiry(now: 6 * s - 1, silentTimeout: nil), "still lingering at 5 s, where 2 s used to end it")
        XCTAssertEqual(m.expiry(now: 6 * s, silentTimeout: nil), .lingerEnded)
    }

    func testDrainIdleAndQuickStopAndWriteTimeoutFromTheConfigFile() throws {
        let o = try options("drain_idle_timeout = 250ms\nquick_stop_timeout = 7s\nwrite_timeout = 2m\n")
        XCTAssertEqual(o.connectionTimeouts.drainIdle, 250_000_000)
        XCTAssertEqual(o.quickStopGrace, 7 * s)
        XCTAssertEqual(o.writeTimeout, 120 * s)
        XCTAssertEqual(try options("keepalive = 100ms\ndrain_idle_timeout = 3s\n").connectionTimeouts.drainIdle, 100_000_000,
                       "never longer than keepalive")
    }
}

/// `proxy_protocol` and `proxy_allow_ips` reach the worker as one matcher.
final class ProxyProtocolOptionsTests: XCTestCase {
    func testOffByDefaultAndRangesWhenOn() throws {
        XCTAssertNil(try WorkerMain.options(try ConfigLoader.parse(text: "", path: "server.conf")).proxyProtocolFrom)
        let on = try WorkerMain.options(try ConfigLoader.parse(text: "proxy_protocol = true\nproxy_allow_ips = 10.0.0.0/8, ::1\n",
                                                               path: "server.conf"))
        let peers = try XCTUnwrap(on.proxyProtocolFrom)
        XCTAssertTrue(peers.isTrusted("10.200.0.1"))
        XCTAssertTrue(peers.isTrusted("::ffff:10.0.0.1"))
        XCTAssertTrue(peers.isTrusted("::1"))
        XCTAssertFalse(peers.isTrusted("127.0.0.1"))
        XCTAssertTrue(peers.isTrusted(""), "a Unix-socket peer is local")
    }

    func testABadEntryNamesTheKeyAndLine() {
        XCTAssertThrowsError(try ConfigLoader.parse(text: "proxy_protocol = on\nproxy_allow_ips = 10.0.0.1/8\n", path: "server.conf")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("server.conf:2") && text.contains("proxy_allow_ips") && text.contains("10.0.0.1/8"), text)
        }
    }
}
