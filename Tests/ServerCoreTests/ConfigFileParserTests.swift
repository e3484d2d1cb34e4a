import XCTest
@testable import ServerCore

/// The `key = value` syntax of `server.conf`.
final class ConfigFileParserTests: XCTestCase {
    func testCommentsBlankLinesAndValues() throws {
        let text = """
        # a comment
          # an indented comment

        workers = 4
        errorlog=/var/log/paddock # not a comment
        reuse-port = on\r
        Backlog =   10  
        pidfile =
        """
        let entries = try ConfigFileParser.entries(in: text, path: "server.conf")
        XCTAssertEqual(entries, [
            .init(key: "workers", value: "4", line: 4),
            .init(key: "errorlog", value: "/var/log/paddock # not a comment", line: 5),
            .init(key: "reuse_port", value: "on", line: 6),
            .init(key: "backlog", value: "10", line: 7),
            .init(key: "pidfile", value: "", line: 8),
        ])
    }

    func testOnlyTheFirstEqualsSplits() throws {
        let entries = try ConfigFileParser.entries(in: "pidfile = a=b", path: "x")
        XCTAssertEqual(entries.first?.value, "a=b")
    }

    func testLineWithoutEqualsIsNamed() {
        XCTAssertThrowsError(try ConfigFileParser.entries(in: "workers = 2\n\nworkers 4\n", path: "/etc/paddock.conf")) { error in
            XCTAssertEqual((error as? ConfigError)?.message,
                           #"/etc/paddock.conf:3: expected "key = value" but found "workers 4""#)
        }
    }

    func testMissingKeyIsAnError() {
        XCTAssertThrowsError(try ConfigFileParser.entries(in: " = 4", path: "server.conf")) { error in
            XCTAssertTrue((error as? ConfigError)?.message.hasPrefix("server.conf:1: missing setting name") ?? false, "\(error)")
        }
    }
}
