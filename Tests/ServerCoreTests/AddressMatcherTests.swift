import Posix
import XCTest
@testable import ServerCore

/// `forwarded_allow_ips` entries as ranges: the parser agrees with
/// inet_pton, ranges end where their prefix says, and bad entries are
/// configuration errors naming the key, the value and the line.
final class AddressMatcherTests: XCTestCase {
    private func matcher(_ entries: [String]) throws -> AddressMatcher { try AddressMatcher(parsing: entries) }

    /// What `inet_pton(3)` accepts, through `SocketAddress`'s bind syntax.
    private func inetPtonAccepts(_ text: String) -> Bool {
        text.contains(":") ? SocketAddress(bind: "[\(text)]:0") != nil : SocketAddress(bind: "\(text):0") != nil
    }

    func testIPv4RangeEdges() throws {
        let m = try matcher(["10.0.0.0/8", "192.168.1.0/24"])
        XCTAssertTrue(m.contains("10.0.0.0"))
        XCTAssertTrue(m.contains("10.255.255.255"))
        XCTAssertFalse(m.contains("9.255.255.255"))
        XCTAssertFalse(m.contains("11.0.0.0"))
        XCTAssertTrue(m.contains("192.168.1.255"))
        XCTAssertFalse(m.contains("192.168.2.0"))
        XCTAssertFalse(m.contains("fd00::1"))
    }

    func testSingleAddressesAreFullLengthPrefixes() throws {
        let m = try matcher(["127.0.0.1", "::1", "203.0.113.7/32", "2001:db8::7/128"])
        XCTAssertTrue(m.contains("127.0.0.1"))
        XCTAssertFalse(m.contains("127.0.0.2"))
        XCTAssertTrue(m.contains("::1"))
        XCTAssertTrue(m.contains("0:0:0:0:0:0:0:1"))
        XCTAssertFalse(m.contains("::2"))
        XCTAssertTrue(m.contains("203.0.113.7"))
        XCTAssertFalse(m.contains("203.0.113.6"))
        XCTAssertTrue(m.contains("2001:DB8:0::7"))
        XCTAssertFalse(m.contains("2001:db8::8"))
    }

    func testIPv6RangeEdges() throws {
        let m = try matcher(["fd00::/8", "2001:db8:1::/48"])
        XCTAssertTrue(m.contains("fd00::"))
        XCTAssertTrue(m.contains("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))
        XCTAssertFalse(m.contains("fc00::1"))
        XCTAssertFalse(m.contains("fe00::"))
        XCTAssertTrue(m.contains("2001:db8:1:ffff::1"))
        XCTAssertFalse(m.contains("2001:db8:2::"))
        XCTAssertFalse(m.contains("10.0.0.1"))
    }

    func testZeroPrefixIsOneWholeFamily() throws {
        let v4 = try matcher(["0.0.0.0/0"])
        XCTAssertTrue(v4.contains("0.0.0.0"))
        XCTAssertTrue(v4.contains("255.255.255.255"))
        XCTAssertTrue(v4.contains("::ffff:1.2.3.4"))
        XCTAssertFalse(v4.contains("::1"), "IPv4 /0 covers IPv4 only")
        let v6 = try matcher(["::/0"])
        XCTAssertTrue(v6.contains("::1"))
        XCTAssertTrue(v6.contains("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))
        XCTAssertTrue(v6.contains("10.0.0.1"), "every IPv4 address is an IPv6 address in mapped form")
    }

    func testMappedPeersMatchIPv4Ranges() throws {
        let m = try matcher(["10.0.0.0/8"])
        XCTAssertTrue(m.contains("::ffff:10.1.2.3"))
        XCTAssertTrue(m.contains("::FFFF:10.1.2.3"))
        XCTAssertTrue(m.contains("::ffff:a01:203"), "the mapped form in hex is the same address")
        XCTAssertFalse(m.contains("::ffff:11.1.2.3"))
        XCTAssertFalse(m.contains("::10.1.2.3"), "IPv4-compatible is not IPv4-mapped")
    }

    func testWildcardAndGarbagePeers() throws {
        XCTAssertTrue(try matcher(["*"]).contains("not an address"))
        XCTAssertTrue(try matcher(["*"]).matchesAny)
        let m = try matcher(["127.0.0.0/8"])
        for text in ["", "localhost", "127.0.0.1:80", "[::1]", "127.0.0.01", "127.0.0", "127.0.0.1.1", "fe80::1%eth0"] {
            XCTAssertFalse(m.contains(text), text)
        }
        XCTAssertFalse(try matcher([]).contains("127.0.0.1"))
    }

    func testParserAgreesWithInetPton() {
        let texts = ["1.2.3.4", "255.255.255.255", "256.1.1.1", "1.2.3", "01.2.3.4", "0.0.0.0", "1..2.3", "1.2.3.4.",
                     "::", "::1", "1::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
                     "1::2::3", ":::", ":1::", "1:", "12345::", "abcd::ef01", "::ffff:1.2.3.4", "1:2:3:4:5:6:1.2.3.4",
                     "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3.4.5", "1.2.3.4::", "g::1", "::1:", "1:2:3:4:5:6:7:", " ::1", "-1.2.3.4"]
        for text in texts {
            XCTAssertEqual(IPAddress(text) != nil, inetPtonAccepts(text), text)
        }
        XCTAssertEqual(IPAddress("1:2:3:4:5:6:1.2.3.4")?.bits, IPAddress("1:2:3:4:5:6:102:304")?.bits)
        XCTAssertEqual(IPAddress("1::")?.bits, UInt128(1) << 112)
        XCTAssertEqual(IPAddress("::1")?.bits, 1)
    }

    func testBadEntriesAreRefused() {
        for (entry, problem) in [("10.0.0.0/33", "prefix length must be 0 to 32"), ("fd00::/129", "prefix length must be 0 to 128"),
                                 ("10.0.0.1/8", "host bits are set (the network is 10.0.0.0/8)"), ("10.0.0.0/", "prefix length"),
                                 ("10.0.0.0/-1", "prefix length"), ("10.0.0.0/+8", "prefix length"),
                                 ("proxy.local", "not an IP address"), ("10.0.0.0/8/8", "prefix length")] {
            XCTAssertThrowsError(try matcher([entry]), entry) { error in
                XCTAssertTrue("\(error)".contains(problem), "\(entry): \(error)")
            }
        }
    }

    func testBadEntryFailsTheLoadNamingKeyValueAndLine() throws {
        do {
            _ = try ConfigLoader.parse(text: "workers = 2\nforwarded_allow_ips = 127.0.0.1, 10.0.0.1/8\n", path: "server.conf")
            XCTFail("a range with host bits was accepted")
        } catch {
            XCTAssertTrue(error.message.hasPrefix("server.conf:2: invalid value \"127.0.0.1, 10.0.0.1/8\" for forwarded_allow_ips"),
                          error.message)
            XCTAssertTrue(error.message.contains("\"10.0.0.1/8\": host bits are set"), error.message)
        }
        let loaded = try ConfigLoader.parse(text: "forwarded_allow_ips = 10.0.0.0/8, fd00::/8, *\n", path: "c")
        XCTAssertEqual(loaded[Settings.forwardedAllowIPs], ["10.0.0.0/8", "fd00::/8", "*"])
    }

    func testProxyTrustWalksRangesOfProxies() throws {
        let trust = try ProxyTrust(allowed: ["127.0.0.0/8", "10.0.0.0/8"])
        var r = HTTPRequest(method: "GET", target: "/", headers: [("X-Forwarded-For", "6.6.6.6, 203.0.113.9, 10.9.8.7")])
        r.remoteAddress = "127.0.0.5"
        XCTAssertEqual(trust.clientAddress(for: r), "203.0.113.9")
        r.remoteAddress = "192.0.2.1"
        XCTAssertEqual(trust.clientAddress(for: r), "192.0.2.1")
    }
}
