import XCTest
@testable import ServerCore

/// Precedence, sources and the command-line syntax of `ConfigLoader.load`.
final class ConfigLoaderTests: XCTestCase {
    /// A default path that never exists, so a stray ./server.conf cannot leak in.
    private let noDefault = "/nonexistent/paddock-test/server.conf"

    private func load(_ arguments: [String], env: [String: String] = [:]) throws -> LoadedConfiguration {
        try ConfigLoader.load(arguments: arguments, environment: env, defaultConfigPath: noDefault)
    }

    func testPrecedenceDefaultFileEnvironmentCommandLine() throws {
        let path = try writeConfig("workers = 3\nbacklog = 100\nloglevel = debug\ntimeout = 10\n")
        let env = ["PADDOCK_BACKLOG": "200", "PADDOCK_LOGLEVEL": "warning", "PADDOCK_IRRELEVANT": "x"]
        let loaded = try load(["--config", path, "--log-level", "error"], env: env)
        let c = loaded.configuration
        XCTAssertEqual(loaded.configPath, path)
        XCTAssertEqual(loaded.action, .run)
        XCTAssertEqual(c[Settings.workers], 3)
        XCTAssertEqual(c.source(of: "workers"), .file(path: path, line: 1))
        XCTAssertEqual(c[Settings.backlog], 200)
        XCTAssertEqual(c.source(of: "backlog"), .environment("PADDOCK_BACKLOG"))
        XCTAssertEqual(c[Settings.loglevel], .error)
        XCTAssertEqual(c.source(of: "loglevel"), .commandLine("--log-level"))
        XCTAssertEqual(c[Settings.timeout], .seconds(10))
        XCTAssertEqual(c[Settings.gracefulTimeout], .seconds(30))
        XCTAssertEqual(c.source(of: "graceful_timeout"), .defaultValue)
    }

    func testConfigFileFromEnvironmentAndDefaultPath() throws {
        let path = try writeConfig("workers = 5\n")
        XCTAssertEqual(try load([], env: ["PADDOCK_CONFIG": path]).configuration[Settings.workers], 5)
        let fromDefault = try ConfigLoader.load(arguments: [], environment: [:], defaultConfigPath: path)
        XCTAssertEqual(fromDefault.configPath, path)
        XCTAssertEqual(fromDefault.configuration[Settings.workers], 5)
        // The command line names the file over the environment.
        let other = try writeConfig("workers = 6\n")
        XCTAssertEqual(try load(["-c", other], env: ["PADDOCK_CONFIG": path]).configuration[Settings.workers], 6)
    }

    func testMissingDefaultConfigIsFine() throws {
        let loaded = try load([])
        XCTAssertNil(loaded.configPath)
        XCTAssertEqual(loaded.configuration, Configuration.defaults())
    }

    func testMissingNamedConfigIsAnErrorNamingThePath() {
        for (arguments, env) in [(["--config", "/nonexistent/p.conf"], [String: String]()),
                                 ([], ["PADDOCK_CONFIG": "/nonexistent/p.conf"])] {
            XCTAssertThrowsError(try load(arguments, env: env)) { error in
                XCTAssertTrue("\(error)".contains("/nonexistent/p.conf"), "\(error)")
            }
        }
    }

    func testRepeatedBindAppendsInFileAndOnCommandLine() throws {
        let path = try writeConfig("bind = 0.0.0.0:80\nbind = unix:/run/a.sock, [::1]:81\n")
        let fromFile = try load(["-c", path]).configuration
        XCTAssertEqual(fromFile[Settings.bind], ["0.0.0.0:80", "unix:/run/a.sock", "[::1]:81"])
        XCTAssertEqual(fromFile.source(of: "bind"), .file(path: path, line: 1))

        let fromCommandLine = try load(["-c", path, "--bind", "1.2.3.4:1", "-b", "5.6.7.8:2", "--bind=9.9.9.9:3"]).configuration
        XCTAssertEqual(fromCommandLine[Settings.bind], ["1.2.3.4:1", "5.6.7.8:2", "9.9.9.9:3"], "CLI replaces the file, then appends")

        let fromEnv = try load(["-c", path], env: ["PADDOCK_BIND": "127.0.0.1:1,127.0.0.2:2"]).configuration
        XCTAssertEqual(fromEnv[Settings.bind], ["127.0.0.1:1", "127.0.0.2:2"], "an environment variable replaces")
    }

    func testFlagForms() throws {
        XCTAssertEqual(try load(["--workers", "4"]).configuration[Settings.workers], 4)
        XCTAssertEqual(try load(["--workers=4"]).configuration[Settings.workers], 4)
        XCTAssertEqual(try load(["-w", "4"]).configuration[Settings.workers], 4)
        XCTAssertEqual(try load(["-w4"]).configuration[Settings.workers], 4)
        // Every key has --key-with-dashes, declared or not.
        XCTAssertEqual(try load(["--keepalive", "5s"]).configuration[Settings.keepalive], .seconds(5))
        XCTAssertEqual(try load(["--limit-request-line", "100"]).configuration[Settings.limitRequestLine], 100)
        XCTAssertEqual(try load(["--log-file", "-"]).configuration[Settings.errorlog], "-")
    }

    func testBooleanFlags() throws {
        XCTAssertTrue(try load(["--reuse-port"]).configuration[Settings.reusePort])
        XCTAssertFalse(try load(["--reuse-port", "--no-reuse-port"]).configuration[Settings.reusePort])
        XCTAssertTrue(try load(["--reuse-port=yes"]).configuration[Settings.reusePort])
        let path = try writeConfig("reuse_port = true\n")
        let loaded = try load(["-c", path, "--no-reuse-port"])
        XCTAssertFalse(loaded.configuration[Settings.reusePort])
        XCTAssertEqual(loaded.configuration.source(of: "reuse_port"), .commandLine("--no-reuse-port"))
        // A boolean flag never swallows the next argument.
        XCTAssertEqual(try load(["--reuse-port", "migrate"]).positional, ["migrate"])
        XCTAssertThrowsError(try load(["--no-reuse-port=1"]))
    }

    func testPositionalArgumentsAndDoubleDash() throws {
        let loaded = try load(["migrate", "-w", "2", "up", "--", "--workers", "-x"])
        XCTAssertEqual(loaded.positional, ["migrate", "up", "--workers", "-x"])
        XCTAssertEqual(loaded.configuration[Settings.workers], 2)
    }

    func testActions() throws {
        XCTAssertEqual(try load(["--help"]).action, .help)
        XCTAssertEqual(try load(["-h"]).action, .help)
        XCTAssertEqual(try load(["--version"]).action, .version)
        XCTAssertEqual(try load(["--check-config"]).action, .checkConfig)
        XCTAssertEqual(try load(["--print-config", "-w", "2"]).action, .printConfig)
        // Help must work even when the named config file is missing.
        XCTAssertEqual(try load(["--help", "-c", "/nonexistent/x.conf"]).action, .help)
        XCTAssertThrowsError(try load(["--check-config", "-c", "/nonexistent/x.conf"]))
    }

    func testMissingValue() {
        XCTAssertThrowsError(try load(["--workers"])) { XCTAssertEqual("\($0)", "--workers: missing value") }
        XCTAssertThrowsError(try load(["--pid", "--workers", "2"])) { XCTAssertEqual("\($0)", "--pid: missing value") }
    }

    func testParseTextOverBase() throws {
        var base = Configuration.defaults()
        base.set("workers", .int(9), from: .commandLine("-w"))
        let c = try ConfigLoader.parse(text: "backlog = 7\n", path: "reload.conf", over: base)
        XCTAssertEqual(c[Settings.workers], 9)
        XCTAssertEqual(c[Settings.backlog], 7)
        XCTAssertEqual(c.source(of: "backlog"), .file(path: "reload.conf", line: 1))
    }

    func testWorksOverSettingsNotYetDeclared() throws {
        // Sections added later must work without touching the loader.
        let extra = Setting<String>(key: "cache_url", default: "", section: "Cache",
                                    reload: .nextWorkers, summary: "Where the cache is.", secret: true).spec
        let specs = Settings.all + [extra]
        let path = try writeConfig("cache-url = redis://u:p@h/0\n")
        let loaded = try ConfigLoader.load(arguments: ["-c", path], environment: [:], defaultConfigPath: noDefault, specs: specs)
        XCTAssertEqual(loaded.configuration.values["cache_url"], .string("redis://u:p@h/0"))
        let fromFlag = try ConfigLoader.load(arguments: ["--cache-url", "memory:x"], environment: [:],
                                             defaultConfigPath: noDefault, specs: specs)
        XCTAssertEqual(fromFlag.configuration.values["cache_url"], .string("memory:x"))
        XCTAssertTrue(SettingsDocs.help(programName: "paddock", specs: specs).contains("cache_url"))
    }
}
