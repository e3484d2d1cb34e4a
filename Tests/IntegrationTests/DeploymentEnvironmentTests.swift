import Foundation
import Glibc
import Posix
import ServerCore
import TestSupport
import XCTest

/// The real binaries in the environment a Flask deployment has: its
/// variables and `.env`, its `gunicorn.conf.py`, one usable CPU, and the
/// process titles `proc_name` asks for.
final class DeploymentEnvironmentTests: ServerTestCase {
    private func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    /// /proc/PID/cmdline with its NUL separators and padding dropped at the end.
    private func commandLine(_ pid: Int32) -> String {
        var text = read("/proc/\(pid)/cmdline")
        while text.hasSuffix("\u{0}") { text.removeLast() }
        return text
    }

    func testOneUsableCPUGetsThreeWorkersWithTheirProcessTitles() throws {
        // Spawned from a thread limited to CPU 0, as `taskset -c 0 paddock` would be.
        let saved = try Process.affinityCPUs()
        try Process.setAffinity([0])
        let started: ServerProcess
        do {
            started = try ServerProcess(arguments: ["--app", "echo", "--name", "flask-app"])
        } catch {
            try Process.setAffinity(saved)
            throw error
        }
        try Process.setAffinity(saved)
        server = started
        try started.waitReady()
        // READY comes once every worker reported ready; the log names each.
        try started.waitForLog(timeout: 30) { _ in started.workerPids().count >= 3 }
        let workers = started.workerPids()
        XCTAssertEqual(workers.keys.sorted(), [0, 1, 2], "2 x 1 CPU + 1")
        XCTAssertEqual(read("/proc/\(started.pid)/comm"), "flask-app\n")
        XCTAssertEqual(commandLine(started.pid), "paddock: master [flask-app]")
        for (slot, pid) in workers {
            XCTAssertEqual(read("/proc/\(pid)/comm"), "flask-app-w\(slot)\n")
            XCTAssertEqual(commandLine(pid), "paddock: worker \(slot) [flask-app]")
        }
        let r = try ServerProcess.run(["-c", "0", ServerProcess.paddockBinary, "--print-config"], binary: "/usr/bin/taskset")
        XCTAssertEqual(r.status, .exited(0), r.stderr)
        XCTAssertTrue(r.stdout.contains("# workers: default\nworkers = 3\n"), r.stdout)
    }

    func testFlaskGuideGunicornConfigChecksWithWarningsOnly() throws {
        let dir = try ServerProcess.makeTemporaryDirectory()
        defer { ServerProcess.removeTemporaryDirectory(dir) }
        try FileManager.default.createDirectory(atPath: dir + "/logs", withIntermediateDirectories: true)
        try GunicornGuide.text.write(toFile: dir + "/gunicorn.conf.py", atomically: true, encoding: .utf8)
        let r = try ServerProcess.run(["--config", "gunicorn.conf.py", "--check-config"], directory: dir)
        XCTAssertEqual(r.status, .exited(0), r.stderr)
        XCTAssertEqual(r.stdout, "configuration OK (gunicorn.conf.py)\n")
        let warnings = r.stderr.split(separator: "\n")
        XCTAssertEqual(warnings.count, 3, r.stderr)
        XCTAssertTrue(warnings.allSatisfy { $0.hasPrefix("paddock: warning: gunicorn.conf.py:") }, r.stderr)
        for name in ["worker_class", "keepalive", "daemon"] { XCTAssertTrue(r.stderr.contains(name), name) }

        let printed = try ServerProcess.run(["--config", "gunicorn.conf.py", "--print-config"], directory: dir)
        XCTAssertTrue(printed.stdout.contains("# proc_name: gunicorn.conf.py:20\nproc_name = flask-app\n"), printed.stdout)
        XCTAssertTrue(printed.stdout.contains("# bind: gunicorn.conf.py:4\nbind = 0.0.0.0:8000\n"), printed.stdout)
        // multiprocessing.cpu_count() counts the CPUs the process may use, not the host's.
        let oneCPU = try ServerProcess.run(["-c", "0", ServerProcess.paddockBinary, "--config", "gunicorn.conf.py", "--print-config"],
                                           binary: "/usr/bin/taskset", directory: dir)
        XCTAssertTrue(oneCPU.stdout.contains("# workers: gunicorn.conf.py:8\nworkers = 3\n"), oneCPU.stdout + oneCPU.stderr)

        // Without the logs directory a worker could not open its log: the check says so.
        try FileManager.default.removeItem(atPath: dir + "/logs")
        let missing = try ServerProcess.run(["--config", "gunicorn.conf.py", "--check-config"], directory: dir)
        XCTAssertEqual(missing.status, .exited(2))
        XCTAssertTrue(missing.stderr.contains("paddock: gunicorn.conf.py:15: accesslog = logs/access.log: directory logs does not exist")
                      || missing.stderr.contains("paddock: gunicorn.conf.py:16: errorlog = logs/error.log: directory logs does not exist"),
                      missing.stderr)
    }

    func testCheckConfigRefusesWhatAWorkerWould() throws {
        let r = try ServerProcess.run(["--check-config", "--database-url", "mysql://x"])
        XCTAssertEqual(r.status, .exited(2))
        XCTAssertEqual(r.stdout, "")
        XCTAssertTrue(r.stderr.contains(#"--database-url: invalid value "mysql://x" for database_url: unsupported scheme"#), r.stderr)
        let fromEnv = try ServerProcess.run(["--check-config"], environment: ["DATABASE_URL": "postgresql+psycopg2://u:pw@db:99999/app"])
        XCTAssertEqual(fromEnv.status, .exited(2))
        XCTAssertTrue(fromEnv.stderr.contains(#"DATABASE_URL: invalid value "postgresql+psycopg2://u:***@db:99999/app" for database_url: invalid port"#),
                      fromEnv.stderr)
        let sqlite = try ServerProcess.run(["--check-config", "--database-url", "sqlite:///no/such/dir/app.db"])
        XCTAssertEqual(sqlite.status, .exited(2))
        XCTAssertTrue(sqlite.stderr.contains("database_url = sqlite:///no/such/dir/app.db: directory no/such/dir does not exist"), sqlite.stderr)
        let scrypt = try ServerProcess.run(["--check-config", "--password-scrypt-n", "20000"])
        XCTAssertEqual(scrypt.status, .exited(2))
        XCTAssertTrue(scrypt.stderr.contains("password_scrypt_n: must be a power of two"), scrypt.stderr)
    }

    func testDotEnvAndFlaskVariablesReachTheServer() throws {
        let dir = try ServerProcess.makeTemporaryDirectory()
        // Flask's .env: the database, a key, a log level; the real LOG_LEVEL wins over the file's.
        try """
        # Flask settings
        SECRET_KEY='flask-secret-key-that-is-long-enough-0123456789'
        export DATABASE_URL="sqlite:///${APP_DIR:-data}/app.db"
        LOG_LEVEL=DEBUG
        WEB_CONCURRENCY=2
        """.write(toFile: dir + "/.env", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
        let printed = try ServerProcess.run(["--print-config"], directory: dir, environment: ["LOG_LEVEL": "warning"])
        XCTAssertEqual(printed.status, .exited(0), printed.stderr)
        XCTAssertTrue(printed.stdout.contains("# database_url: .env:3 DATABASE_URL\ndatabase_url = <redacted>\n"), printed.stdout)
        XCTAssertTrue(printed.stdout.contains("# jwt_secret_key: .env:2 SECRET_KEY\n"), printed.stdout)
        XCTAssertTrue(printed.stdout.contains("# loglevel: env LOG_LEVEL\nloglevel = warning\n"), printed.stdout)
        XCTAssertTrue(printed.stdout.contains("# workers: .env:5 WEB_CONCURRENCY\nworkers = 2\n"), printed.stdout)

        let s = try ServerProcess(arguments: [], directory: dir)
        server = s
        try s.waitReady()
        XCTAssertEqual(s.workerPids().count, 2)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/data/app.db"), "the database named by .env was created")
        XCTAssertFalse(s.errorLog().contains("jwt_secret_key is not set"), "SECRET_KEY was used, no key generated")
    }
}
