import TestSupport
import XCTest
@testable import ServerCore

/// `--config gunicorn.conf.py`: the Python subset, the name mapping, the
/// warnings for what does not apply and the errors for everything else.
final class GunicornConfigTests: XCTestCase {
    /// The file Flask's deployment guide ships, exactly.
    static let flaskGuideConfig = GunicornGuide.text

    private func parse(_ text: String, env: [String: String] = [:], cpus: Int = 4) throws -> GunicornConfig.Result {
        try GunicornConfig.parse(text: text, path: "gunicorn.conf.py", environment: env, specs: Settings.all, cpuCount: cpus)
    }

    private func load(_ text: String, env: [String: String] = [:]) throws -> LoadedConfiguration {
        let path = try writeConfig(text, named: "gunicorn.conf.py")
        return try ConfigLoader.load(arguments: ["--config", path], environment: env,
                                     defaultConfigPath: "/nonexistent/server.conf", defaultEnvFilePath: "/nonexistent/.env")
    }

    func testFlaskGuideConfigLoadsWithWarningsOnly() throws {
        let loaded = try load(Self.flaskGuideConfig)
        let c = loaded.configuration
        let path = loaded.configPath!
        XCTAssertEqual(c[Settings.bind], ["0.0.0.0:8000"], "single quotes are Python's, not part of the value")
        XCTAssertEqual(c[Settings.backlog], 2048)
        XCTAssertEqual(c[Settings.workers], 2 * CPULimit.usableCPUs() + 1)
        XCTAssertEqual(c[Settings.workerConnections], 1000)
        XCTAssertEqual(c[Settings.timeout], .seconds(30))
        XCTAssertEqual(c[Settings.keepalive], .seconds(2), "mapped as it is, in seconds")
        XCTAssertEqual(c[Settings.accesslog], "logs/access.log")
        XCTAssertEqual(c[Settings.errorlog], "logs/error.log")
        XCTAssertEqual(c[Settings.loglevel], .info)
        XCTAssertEqual(c[Settings.procName], "flask-app")
        XCTAssertEqual(c[Settings.pidfile], "gunicorn.pid")
        XCTAssertEqual(c.source(of: "workers"), .file(path: path, line: 8))
        XCTAssertEqual(loaded.warnings.count, 3, "\(loaded.warnings)")
        XCTAssertTrue(loaded.warnings[0].hasPrefix("\(path):9: gunicorn's worker_class does not apply to Paddock and is ignored"))
        XCTAssertTrue(loaded.warnings[1].hasPrefix("\(path):12: keepalive = 2 closes idle connections after 2 s"))
        XCTAssertTrue(loaded.warnings[2].hasPrefix("\(path):23: gunicorn's daemon does not apply to Paddock"))
    }

    func testCPUCountArithmetic() throws {
        let r = try parse("import multiprocessing, os\nworkers = (multiprocessing.cpu_count() + 1) * 3 // 2 - 1\nthreads = os.cpu_count()\n", cpus: 3)
        XCTAssertEqual(r.entries.first { $0.key == "workers" }?.value, "5")
        XCTAssertEqual(r.warnings.count, 1)
        XCTAssertTrue(r.warnings[0].contains("threads"))
        XCTAssertThrowsError(try parse("workers = multiprocessing.cpu_count()\n")) { error in
            XCTAssertEqual("\(error)", "gunicorn.conf.py:1: multiprocessing is used but not imported")
        }
    }

    func testLiteralsListsAndEnvironment() throws {
        let text = #"""
        import os
        _port = os.environ.get("PORT", "8000")
        bind = ["127.0.0.1:" + _port, 'unix:/run/app.sock']
        graceful_timeout = 2.5
        umask = 0o027
        forwarded_allow_ips = "10.0.0.1,10.0.0.2"
        accesslog = None
        workers = int(os.getenv('WEB_CONCURRENCY', 3))
        max_requests = 1_000
        access_log_format = '%(h)s "%(r)s" %(s)s'
        reuse_port = True
        """#
        let r = try parse(text, env: ["PORT": "9000", "WEB_CONCURRENCY": "6"])
        func values(_ key: String) -> [String] { r.entries.filter { $0.key == key }.map(\.value) }
        XCTAssertEqual(values("bind"), ["127.0.0.1:9000", "unix:/run/app.sock"])
        XCTAssertEqual(values("graceful_timeout"), ["2.5"])
        XCTAssertEqual(values("umask"), ["27"])
        XCTAssertEqual(values("workers"), ["6"])
        XCTAssertEqual(values("max_requests"), ["1000"])
        XCTAssertEqual(values("accesslog"), [], "None is gunicorn's \"not set\": Paddock's default stays")
        XCTAssertEqual(r.warnings, [])
        let c = try load(text, env: ["PORT": "9000"]).configuration
        XCTAssertEqual(c[Settings.bind], ["127.0.0.1:9000", "unix:/run/app.sock"])
        XCTAssertEqual(c[Settings.umask], "27")
        XCTAssertEqual(c[Settings.forwardedAllowIPs], ["10.0.0.1", "10.0.0.2"])
        XCTAssertEqual(c[Settings.accesslog], "")
        XCTAssertEqual(c[Settings.workers], 3)
        XCTAssertEqual(c[Settings.accessLogFormat], #"%(h)s "%(r)s" %(s)s"#)
        XCTAssertEqual(c[Settings.reusePort], true)
    }

    func testHooksAreSkippedWithAWarning() throws {
        let text = """
        bind = "127.0.0.1:8000"

        def on_starting(server):
            server.log.info("starting")
            if True:
                pass

        def helper(x):
            return x
        workers = 2
        """
        let r = try parse(text)
        XCTAssertEqual(r.warnings, ["gunicorn.conf.py:3: server hook on_starting() is not supported by Paddock and is skipped",
                                    "gunicorn.conf.py:8: function helper() is not supported by Paddock and is skipped"])
        XCTAssertEqual(r.entries.map(\.key), ["bind", "workers"])
    }

    func testUnknownNamesAndUnsupportedStatementsNameTheLine() {
        XCTAssertThrowsError(try parse("bind = '127.0.0.1:8000'\nwokers = 3\n")) { error in
            XCTAssertEqual("\(error)", #"gunicorn.conf.py:2: unknown gunicorn setting "wokers" (did you mean "workers"?)"#)
        }
        XCTAssertThrowsError(try parse("import json\n")) { error in
            XCTAssertEqual("\(error)", "gunicorn.conf.py:1: import json is not supported (only multiprocessing, os, ssl and sys)")
        }
        XCTAssertThrowsError(try parse("\nif True:\n    workers = 3\n")) { error in
            XCTAssertTrue("\(error)".hasPrefix("gunicorn.conf.py:2: unsupported statement"), "\(error)")
        }
        XCTAssertThrowsError(try parse("bind = r'0.0.0.0:8000'\n")) { error in
            XCTAssertTrue("\(error)".hasPrefix("gunicorn.conf.py:1: r-strings are not supported"), "\(error)")
        }
        XCTAssertThrowsError(try parse("port = 8000\nbind = f'0.0.0.0:{port:05d}'\n")) { error in
            XCTAssertEqual("\(error)", "gunicorn.conf.py:2: format specs in f-strings are not supported")
        }
        XCTAssertThrowsError(try parse("workers = undefined_name * 2\n")) { error in
            XCTAssertTrue("\(error)".hasPrefix("gunicorn.conf.py:1: undefined_name is not defined"), "\(error)")
        }
        XCTAssertThrowsError(try parse("timeout = 'abc\n"))
        XCTAssertThrowsError(try parse("bind = ['127.0.0.1:8000', 8001]\n"))
    }

    func testValuesAreCheckedLikeAnyOther() throws {
        XCTAssertThrowsError(try load("workers = 0\n")) { error in
            XCTAssertTrue("\(error)".hasSuffix("gunicorn.conf.py:1: workers = 0 is below the minimum 1"), "\(error)")
        }
    }

    func testMultiLineValuesAndTheLastAssignmentWin() throws {
        let r = try parse("bind = [\n    '127.0.0.1:8000',  # first\n    '[::1]:8000',\n]\nworkers = 2\nworkers = \\\n  workers + 1\n")
        XCTAssertEqual(r.entries.filter { $0.key == "bind" }.map(\.value), ["127.0.0.1:8000", "[::1]:8000"])
        XCTAssertEqual(r.entries.filter { $0.key == "workers" }.map(\.value), ["3"])
    }

    func testZeroLimitsBecomeTheMaximum() throws {
        let r = try parse("limit_request_line = 0\nlimit_request_field_size = 0\nlimit_request_fields = 50\n")
        XCTAssertEqual(r.entries.map(\.value), ["1048576", "1048576", "50"])
        XCTAssertEqual(r.warnings.count, 2)
        XCTAssertTrue(r.warnings[0].hasPrefix("gunicorn.conf.py:1: limit_request_line = 0 (no limit in gunicorn) becomes 1048576"))
    }

    func testInapplicableValuesAreNotEvaluatedAndPaddockKeysWork() throws {
        let text = """
        secure_scheme_headers = {'X-FORWARDED-PROTOCOL': 'ssl', 'X-FORWARDED-SSL': 'on'}
        logconfig_dict = {
            "version": 1,
        }
        shutdown_delay = 6
        admin_bind = ["127.0.0.1:9000"]
        """
        let r = try parse(text)
        XCTAssertEqual(r.warnings.count, 2, "\(r.warnings)")
        XCTAssertTrue(r.warnings[0].hasPrefix("gunicorn.conf.py:1: gunicorn's secure_scheme_headers does not apply"))
        XCTAssertTrue(r.warnings[1].hasPrefix("gunicorn.conf.py:2: gunicorn's logconfig_dict does not apply"))
        XCTAssertEqual(r.entries.map(\.key), ["shutdown_delay", "admin_bind"])
        XCTAssertEqual(r.entries.map(\.value), ["6", "127.0.0.1:9000"])
    }

    func testNoneKeepsPaddocksDefault() throws {
        let c = try load("proc_name = None\npidfile = None\nuser = None\n").configuration
        XCTAssertEqual(c[Settings.procName], "paddock")
        XCTAssertEqual(c.source(of: "proc_name"), .defaultValue)
    }

    func testStringFormattingAndAugmentedAssignment() throws {
        let text = #"""
        import os
        host = "0.0.0.0"
        port = int(os.environ.get("PORT", 8000))
        bind = [f"{host}:{port}", "127.0.0.1:%d" % (port + 1), "[::1]:%s" % port, f"unix:/run/{{x}}.sock"]
        workers = 2
        workers += 1
        timeout = 10
        timeout *= 3
        proc_name = f"app-{os.getenv('ENVIRONMENT', 'dev')}"
        """#
        let r = try parse(text, env: ["PORT": "9000", "ENVIRONMENT": "prod"])
        func values(_ key: String) -> [String] { r.entries.filter { $0.key == key }.map(\.value) }
        XCTAssertEqual(values("bind"), ["0.0.0.0:9000", "127.0.0.1:9001", "[::1]:9000", "unix:/run/{x}.sock"])
        XCTAssertEqual(values("workers"), ["3"])
        XCTAssertEqual(values("timeout"), ["30"])
        XCTAssertEqual(values("proc_name"), ["app-prod"])
        XCTAssertEqual(r.warnings, [], "host and port are helpers read by bind")
        XCTAssertThrowsError(try parse("bind = '0.0.0.0:%s:%s' % 8000\n"))
    }

    func testFromImports() throws {
        let r = try parse("from multiprocessing import cpu_count\nfrom os import environ, getenv\nworkers = cpu_count() + 1\n"
                          + "bind = environ.get('BIND', '127.0.0.1:8000')\ntimeout = int(getenv('TIMEOUT', '60'))\n",
                          env: ["TIMEOUT": "45"], cpus: 2)
        XCTAssertEqual(r.entries.map(\.value), ["3", "127.0.0.1:8000", "45"])
        XCTAssertThrowsError(try parse("from os import system\n")) { error in
            XCTAssertTrue("\(error)".hasPrefix("gunicorn.conf.py:1: unsupported import"), "\(error)")
        }
    }

    func testPythonArithmetic() throws {
        let r = try parse("workers = -7 // 2 + 10\nbacklog = 7 % 3 * 100\ntimeout = 10 / 4\n")
        XCTAssertEqual(r.entries.map(\.value), ["6", "100", "2.5"])
    }

    func testServerConfSyntaxStillReadsOtherFiles() throws {
        let path = try writeConfig("workers = 3\n", named: "paddock.conf")
        let c = try ConfigLoader.load(arguments: ["-c", path], environment: [:], defaultConfigPath: "/nonexistent",
                                      defaultEnvFilePath: "/nonexistent/.env").configuration
        XCTAssertEqual(c[Settings.workers], 3)
    }
}
