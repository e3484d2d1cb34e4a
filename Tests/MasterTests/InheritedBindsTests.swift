@testable import Master
import Posix
import XCTest

/// A configured `bind` entry is satisfied by an inherited socket whose local
/// address is the same address: same family, host (as an address, not as
/// text) and port; port 0 never is.
final class InheritedBindsTests: XCTestCase {
    func matches(_ configured: String, _ inherited: SocketAddress, directory: String = "/srv") throws -> Bool {
        InheritedBinds.matches(try XCTUnwrap(SocketAddress(bind: configured), configured), inherited, directory: directory)
    }

    func testIPv4MatchesTheSameHostAndPortOnly() throws {
        XCTAssertTrue(try matches("127.0.0.1:8179", .ipv4("127.0.0.1", 8179)))
        XCTAssertTrue(try matches("localhost:8179", .ipv4("127.0.0.1", 8179)))
        XCTAssertTrue(try matches("8179", .ipv4("127.0.0.1", 8179)))
        XCTAssertTrue(try matches("0.0.0.0:8179", .ipv4("0.0.0.0", 8179)))
        XCTAssertFalse(try matches("127.0.0.1:8180", .ipv4("127.0.0.1", 8179)))
        XCTAssertFalse(try matches("127.0.0.2:8179", .ipv4("127.0.0.1", 8179)))
        // A wildcard is its own address, as nginx treats it: not "any of them".
        XCTAssertFalse(try matches("0.0.0.0:8179", .ipv4("127.0.0.1", 8179)))
        XCTAssertFalse(try matches("127.0.0.1:8179", .ipv4("0.0.0.0", 8179)))
    }

    func testIPv6ComparesAddressesNotSpellings() throws {
        XCTAssertTrue(try matches("[::1]:8179", .ipv6("::1", 8179)))
        XCTAssertTrue(try matches("[0:0:0:0:0:0:0:1]:8179", .ipv6("::1", 8179)))
        XCTAssertTrue(try matches("[::0001]:8179", .ipv6("::1", 8179)))
        XCTAssertTrue(try matches("[::]:8179", .ipv6("::", 8179)))
        XCTAssertFalse(try matches("[::1]:8180", .ipv6("::1", 8179)))
        XCTAssertFalse(try matches("[::]:8179", .ipv6("::1", 8179)))
        // Different families never match, even for the loopback of each.
        XCTAssertFalse(try matches("[::1]:8179", .ipv4("127.0.0.1", 8179)))
        XCTAssertFalse(try matches("127.0.0.1:8179", .ipv6("::1", 8179)))
        XCTAssertFalse(try matches("127.0.0.1:8179", .ipv6("::ffff:127.0.0.1", 8179)))
    }

    func testPortZeroNeverMatches() throws {
        // Port 0 asks for a fresh socket on any free port; an inherited socket
        // is never that, even one that somehow reports port 0.
        XCTAssertFalse(try matches("127.0.0.1:0", .ipv4("127.0.0.1", 0)))
        XCTAssertFalse(try matches("127.0.0.1:0", .ipv4("127.0.0.1", 8179)))
        XCTAssertFalse(try matches("[::1]:0", .ipv6("::1", 0)))
    }

    func testUnixSocketsMatchByAbsolutePath() throws {
        XCTAssertTrue(try matches("unix:/run/paddock/http.sock", .unix("/run/paddock/http.sock")))
        XCTAssertFalse(try matches("unix:/run/paddock/http.sock", .unix("/run/paddock/other.sock")))
        // A relative path is relative to the master's working directory.
        XCTAssertTrue(try matches("unix:http.sock", .unix("/srv/http.sock"), directory: "/srv"))
        XCTAssertFalse(try matches("unix:http.sock", .unix("/srv/http.sock"), directory: "/var/lib/paddock"))
        // An abstract or unnamed inherited socket reports no path: nothing names it.
        XCTAssertFalse(try matches("unix:/run/paddock/http.sock", .unix("")))
        XCTAssertFalse(try matches("unix:/run/paddock/http.sock", .ipv4("127.0.0.1", 8179)))
    }

    func testOnlyTheUnmatchedEntriesAreLeftToBind() throws {
        let configured = try ["127.0.0.1:8179", "[::1]:8179", "127.0.0.1:9000", "127.0.0.1:0"].map {
            try XCTUnwrap(SocketAddress(bind: $0))
        }
        let inherited: [SocketAddress] = [.ipv4("127.0.0.1", 8179), .ipv6("::1", 8179), .ipv4("127.0.0.1", 7000)]
        XCTAssertEqual(InheritedBinds.unmatched(configured, inherited: inherited, directory: "/"),
                       [.ipv4("127.0.0.1", 9000), .ipv4("127.0.0.1", 0)])
        XCTAssertEqual(InheritedBinds.unmatched(configured, inherited: [], directory: "/"), configured)
    }
}
