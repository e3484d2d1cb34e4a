import XCTest
@testable import ServerCore

/// `serialized()` is how workers receive the master's configuration, so it
/// must round-trip exactly; `printable()` is for people.
final class ConfigurationSerializationTests: XCTestCase {
    func testDefaultsRoundTrip() throws {
        let defaults = Configuration.defaults()
        XCTAssertEqual(try ConfigLoader.parse(text: defaults.serialized(), path: "serialized"), defaults)
    }

    func testChangedValuesRoundTrip() throws {
        var c = Configuration.defaults()
        c.set("bind", .list(["unix:/run/a,b.sock", "0.0.0.0:80"]), from: .commandLine("-b"))
        c.set("cors_origins", .list(["https://a,b.example", " spaced ", #"q"uote"#, "https://x.example"]), from: .defaultValue)
        c.set("pidfile", .string(#""quoted" with \ backslash"#), from: .defaultValue)
        c.set("errorlog", .string("  /var/log/p # hash  "), from: .defaultValue)
        c.set(Settings.keepalive, .milliseconds(300), from: .defaultValue)
        c.set(Settings.timeout, .microseconds(10), from: .defaultValue)
        c.set(Settings.maxBodySize, 1_500_000, from: .defaultValue)
        c.set("reuse_port", .bool(true), from: .defaultValue)
        c.set("workers", .int(17), from: .defaultValue)
        c.set(Settings.loglevel, .critical, from: .defaultValue)
        let text = c.serialized()
        // Parsing over a base that differs everywhere proves every setting was written.
        var base = Configuration.defaults()
        base.set("workers", .int(1), from: .defaultValue)
        let parsed = try ConfigLoader.parse(text: text, path: "serialized", over: base)
        XCTAssertEqual(parsed, c, text)
        XCTAssertEqual(parsed[Settings.bind].count, 2)
        XCTAssertEqual(parsed[Settings.corsOrigins].count, 4)
    }

    func testEmptyListRoundTrips() throws {
        var c = Configuration.defaults()
        c.set("bind", .list([]), from: .defaultValue)
        let parsed = try ConfigLoader.parse(text: c.serialized(), path: "serialized")
        XCTAssertEqual(parsed[Settings.bind], [])
    }

    func testEqualityIgnoresSources() {
        var a = Configuration.defaults()
        var b = Configuration.defaults()
        a.set("workers", .int(4), from: .commandLine("-w"))
        b.set("workers", .int(4), from: .environment("PADDOCK_WORKERS"))
        XCTAssertEqual(a, b)
        b.set("workers", .int(5), from: .defaultValue)
        XCTAssertNotEqual(a, b)
    }

    func testSerializedListsEverySetting() {
        let lines = Configuration.defaults().serialized().split(separator: "\n")
        for spec in Settings.all {
            XCTAssertTrue(lines.contains { $0.hasPrefix("\(spec.key) =") }, spec.key)
        }
    }

    func testPrintableShowsSourcesAndRedactsSecrets() throws {
        let secret = Setting<String>(key: "jwt_secret", default: "", section: "Auth",
                                     reload: .nextWorkers, summary: "Signing key.", secret: true).spec
        let specs = Settings.all + [secret]
        var c = Configuration.defaults(specs: specs)
        c.set("workers", .int(4), from: .file(path: "server.conf", line: 12))
        c.set("backlog", .int(5), from: .environment("PADDOCK_BACKLOG"))
        XCTAssertTrue(c.printable(specs: specs).contains("# jwt_secret: default\njwt_secret = \"\"\n"), "an unset secret stays visible")
        c.set("jwt_secret", .string("hunter2"), from: .commandLine("--jwt-secret"))
        let text = c.printable(specs: specs)
        XCTAssertTrue(text.contains("# workers: server.conf:12\nworkers = 4\n"), text)
        XCTAssertTrue(text.contains("# backlog: env PADDOCK_BACKLOG\nbacklog = 5\n"), text)
        XCTAssertTrue(text.contains("# jwt_secret: command line --jwt-secret\njwt_secret = <redacted>\n"), text)
        XCTAssertFalse(text.contains("hunter2"))
        // Serialization is for workers and keeps the secret verbatim.
        XCTAssertTrue(c.serialized(specs: specs).contains("jwt_secret = hunter2\n"))
    }
}
