import Foundation
import Glibc
import Posix
import ServerCore
import TestSupport
import XCTest

/// Operating the real binaries: reloads under load, broken reloads, scaling,
/// timeouts, recycling, master death, delayed shutdown and log rotation.
/// Every test fails on an unexpected warning or error line in the server's
/// log (across rotated files), allowing only the lines it expects.
final class OperationsTests: XCTestCase {
    var server: ServerProcess?
    var allowedLogLines: [String] = []

    override func setUp() {
        super.setUp()
        // A write to a connection the server reset must fail, not kill the test run.
        signal(SIGPIPE, SIG_IGN)
    }

    override func tearDown() {
        if let server {
            server.stopGracefully()
            let bad = server.errorLogAcrossRotations().split(separator: "\n").map(String.init).filter { line in
                let serious = line.contains(" warning ") || line.contains(" error ") || line.contains(" critical ")
                return serious && !allowedLogLines.contains { line.contains($0) }
            }
            XCTAssertEqual(bad, [], "unexpected error lines in the server log")
        }
        server = nil
        allowedLogLines = []
        super.tearDown()
    }

    @discardableResult
    func start(_ args: [String] = [], workers: Int = 2, configText: String? = nil) throws -> ServerProcess {
        var all = args
        if configText == nil { all = ["--app", "echo"] + all }
        if !all.contains("--workers") && configText == nil { all += ["--workers", "\(workers)"] }
        let s = try ServerProcess(arguments: all, configText: configText)
        server = s
        try s.waitReady()
        return s
    }

    func configPath(_ s: ServerProcess) -> String { s.directory + "/server.conf" }

    func get(_ s: ServerProcess, _ target: String, close: Bool = true) throws -> HTTPTestClient.Response {
        try HTTPTestClient(port: s.port, timeout: 5).request("GET", target, close: close)
    }

    /// Sends HUP and waits for the rollout to finish (`RELOADING=1`, then
    /// `READY=1` with a "reloaded" status).
    func reloadAndWait(_ s: ServerProcess, expectGeneration generation: Int, timeout: Double = 20) throws {
        let mark = try s.notificationMark()
        try s.signal(SIGHUP)
        try s.waitForNotification("RELOADING=1", after: mark, timeout: timeout)
        let done = try s.waitForNotification("READY=1", after: mark, timeout: timeout)
        XCTAssertTrue(done.contains("STATUS=reloaded: generation \(generation)"), done)
        XCTAssertTrue(s.errorLog().contains("reload complete: every worker runs generation \(generation)"))
    }

    // MARK: 1. HUP under load

    func testHupReloadsUnderLoadWithoutLosingARequest() throws {
        let s = try start(workers: 2)
        let initial = s.workerPids()
        XCTAssertEqual(initial.keys.sorted(), [0, 1])
        let load = LoadGenerator(port: s.port, threads: 4, maxDuration: 40)
        load.start()
        XCTAssertTrue(load.waitForProgress(40), "the load did not get going")
        var previous = initial
        for round in 1...3 {
            try reloadAndWait(s, expectGeneration: round + 1)
            let now = s.workerPids()
            XCTAssertEqual(now.keys.sorted(), [0, 1], "worker count changed in reload \(round)")
            for slot in 0..<2 {
                XCTAssertNotEqual(now[slot], previous[slot], "slot \(slot) kept its worker in reload \(round)")
            }
            previous = now
            // Let the load run against this generation too.
            let before = load.succeededSoFar
            XCTAssertTrue(load.waitForProgress(before + 20), "no progress after reload \(round)")
        }
        let result = load.stop()
        XCTAssertEqual(result.failures, [], "failed requests during reloads (\(result.succeeded) succeeded)")
        XCTAssertGreaterThan(result.succeeded, 60)
        assertEveryWorkerReplaced(s, initial: initial)
        XCTAssertEqual(try get(s, "/health").status, 200)
    }

    /// The same slots run, each by a new worker, and every old worker has exited.
    func assertEveryWorkerReplaced(_ s: ServerProcess, initial: [Int: Int32], file: StaticString = #filePath, line: UInt = #line) {
        let now = s.workerPids()
        XCTAssertEqual(now.keys.sorted(), initial.keys.sorted(), file: file, line: line)
        XCTAssertTrue(Set(now.values).isDisjoint(with: Set(initial.values)), "an old worker survived", file: file, line: line)
        for pid in initial.values {
            XCTAssertTrue(waitForProcessExit(pid, timeout: 10), "old worker \(pid) still running", file: file, line: line)
        }
        for pid in now.values { XCTAssertFalse(processHasExited(pid), file: file, line: line) }
    }

    /// USR2 under load: the master re-executes itself in place (same PID),
    /// adopts the workers and replaces them one slot at a time; clients see
    /// no failure, as with HUP.
    func testUsr2UpgradesUnderLoadWithoutLosingARequest() throws {
        let s = try start(workers: 2)
        let initial = s.workerPids()
        let load = LoadGenerator(port: s.port, threads: 4, maxDuration: 40)
        load.start()
        XCTAssertTrue(load.waitForProgress(500), "the load did not get going")
        let mark = try s.notificationMark()
        try s.signal(SIGUSR2)
        try s.waitForNotification("reloaded", after: mark, timeout: 30)
        XCTAssertNil(try s.reapIfExited(), "the master kept running")
        XCTAssertTrue(s.errorLog().contains("upgraded in place: pid \(s.pid) kept"))
        let before = load.succeededSoFar
        XCTAssertTrue(load.waitForProgress(before + 500), "no progress after the upgrade")
        let result = load.stop()
        XCTAssertEqual(result.failures, [], "failed requests during the upgrade (\(result.succeeded) succeeded)")
        // The clients' keep-alive connections to the old workers were closed
        // by them (Connection: close) and opened again to the new ones.
        XCTAssertGreaterThanOrEqual(result.reconnects, 1)
        assertEveryWorkerReplaced(s, initial: initial)
    }

    // MARK: 2. HUP with a broken config

    func testHupWithBrokenConfigKeepsRunningConfiguration() throws {
        let s = try start(configText: "app = echo\nworkers = 2\n")
        allowedLogLines = ["reload failed, keeping the running configuration"]
        let before = s.workerPids()
        XCTAssertEqual(before.count, 2)
        try "app = echo\nworkers = 2\nkeepalive = soon\n".write(toFile: configPath(s), atomically: true, encoding: .utf8)
        let mark = try s.notificationMark()
        try s.signal(SIGHUP)
        let line = try s.waitForLogLine(containing: "reload failed, keeping the running configuration")
        XCTAssertTrue(line.contains("server.conf:3"), line)
        XCTAssertTrue(line.contains("keepalive"), line)
        XCTAssertTrue(line.contains(" error "), line)
        let status = try s.waitForNotification("READY=1", after: mark, timeout: 5)
        XCTAssertTrue(status.contains("reload failed"), status)
        XCTAssertEqual(s.workerPids(), before, "workers were replaced after a broken reload")
        for pid in before.values { XCTAssertFalse(processHasExited(pid), "worker \(pid) stopped") }
        for i in 0..<10 { XCTAssertEqual(try get(s, "/echo?i=\(i)").status, 200) }
        XCTAssertFalse(s.errorLog().contains("reloading: rolling out"), "a broken configuration was rolled out")

        try "app = echo\nworkers = 2\nkeepalive = 5\n".write(toFile: configPath(s), atomically: true, encoding: .utf8)
        try reloadAndWait(s, expectGeneration: 2)
        let after = s.workerPids()
        XCTAssertEqual(after.count, 2)
        XCTAssertTrue(Set(after.values).isDisjoint(with: Set(before.values)))
        XCTAssertEqual(try get(s, "/health").status, 200)
    }

    // MARK: 3. HUP where new workers fail to boot

    func testHupWhoseWorkersFailToBootKeepsOldWorkers() throws {
        let s = try start(configText: "app = echo\nworkers = 2\n")
        allowedLogLines = ["reload failed: generation 2", "failed to boot", "application users failed to start"]
        let before = s.workerPids()
        // A database file that is not one: the master cannot tell, the
        // application fails to start on it. (An unreachable PostgreSQL no
        // longer stops a worker from booting.)
        try "not a database, just text that SQLite refuses to read as one\n".write(toFile: s.directory + "/broken.db", atomically: true, encoding: .utf8)
        try """
        app = users
        workers = 2
        database_url = sqlite:///broken.db
        """.write(toFile: configPath(s), atomically: true, encoding: .utf8)
        let mark = try s.notificationMark()
        try s.signal(SIGHUP)
        try s.waitForNotification("RELOADING=1", after: mark, timeout: 5)
        let status = try s.waitForNotification("READY=1", after: mark, timeout: 20)
        XCTAssertTrue(status.contains("reload failed"), status)
        let failure = try s.waitForLogLine(containing: "reload failed", timeout: 5)
        XCTAssertTrue(failure.contains("generation 1 keeps serving"), failure)
        XCTAssertFalse(s.errorLog().contains("reload complete"))
        // Nothing signals "no retry": wait past the first boot backoff (100 ms)
        // and check that slot 0 was not tried again with the failed configuration.
        let failedAt = s.errorLogMark()
        Clock.sleep(milliseconds: 400)
        XCTAssertFalse(s.errorLogLines(since: failedAt).contains { $0.contains("booting worker") },
                       "the failed configuration was retried")
        XCTAssertEqual(s.workerPids(), before, "old workers were replaced by a configuration that does not boot")
        for pid in before.values { XCTAssertFalse(processHasExited(pid), "old worker \(pid) stopped") }
        XCTAssertNil(try s.reapIfExited(), "the master exited")
        for i in 0..<10 {
            let r = try get(s, "/echo?i=\(i)")
            XCTAssertEqual(r.status, 200)
            XCTAssertEqual(r.json?["query"] as? String, "i=\(i)", "not the echo application")
        }
        // The running configuration is back in force: a new worker runs echo.
        let logMark = s.errorLogMark()
        try s.signal(SIGTTIN)
        let ready = try s.waitForLogLine(containing: "worker ready slot=2", since: logMark)
        XCTAssertFalse(ready.isEmpty)
        XCTAssertFalse(s.errorLogLines(since: logMark).contains { $0.contains("failed") }, "TTIN spawned the failed configuration")
        XCTAssertEqual(s.workerPids()[0], before[0])
        XCTAssertEqual(s.workerPids()[1], before[1])
    }

    // MARK: 4. TTIN / TTOU

    func testTtinAddsAWorkerAndTtouRetiresTheHighestSlot() throws {
        let s = try start(workers: 2)
        let before = s.workerPids()
        var mark = s.errorLogMark()
        try s.signal(SIGTTIN)
        try s.waitForLogLine(containing: "worker ready slot=2 ", since: mark)
        let grown = s.workerPids()
        XCTAssertEqual(grown.keys.sorted(), [0, 1, 2])
        XCTAssertEqual(grown[0], before[0])
        XCTAssertEqual(grown[1], before[1])
        let added = try XCTUnwrap(grown[2])
        for i in 0..<20 { XCTAssertEqual(try get(s, "/echo?i=\(i)").status, 200) }

        mark = s.errorLogMark()
        try s.signal(SIGTTOU)
        try s.waitForLogLine(containing: "retiring worker slot=2 pid=\(added)", since: mark)
        XCTAssertTrue(waitForProcessExit(added, timeout: 10), "retired worker \(added) did not exit")
        try s.waitForLogLine(containing: "worker exited slot=2 pid=\(added)", since: mark)
        XCTAssertFalse(s.errorLogLines(since: mark).contains { $0.contains("retiring worker slot=0") || $0.contains("retiring worker slot=1") })
        for pid in [before[0]!, before[1]!] { XCTAssertFalse(processHasExited(pid)) }
        for i in 0..<20 { XCTAssertEqual(try get(s, "/echo?i=\(i)").status, 200) }
    }

    func testTtinSurvivesReloadThatKeepsWorkersButNotOneThatChangesIt() throws {
        let dir = try ServerProcess.makeTemporaryDirectory()
        let conf = dir + "/server.conf"
        try "app = echo\nworkers = 2\n".write(toFile: conf, atomically: true, encoding: .utf8)
        let s = try ServerProcess(arguments: ["--config", conf], directory: dir)
        server = s
        try s.waitReady()
        var mark = s.errorLogMark()
        try s.signal(SIGTTIN)
        try s.waitForLogLine(containing: "worker ready slot=2 ", since: mark)
        mark = s.errorLogMark()
        try s.signal(SIGHUP)
        try s.waitForLogLine(containing: "reload complete", since: mark)
        XCTAssertTrue(s.errorLogLines(since: mark).contains { $0.contains("rolling out generation 2 to 3 workers") },
                      "a reload that leaves workers alone keeps the TTIN")
        try "app = echo\nworkers = 1\n".write(toFile: conf, atomically: true, encoding: .utf8)
        mark = s.errorLogMark()
        try s.signal(SIGHUP)
        try s.waitForLogLine(containing: "reload complete", since: mark)
        let lines = s.errorLogLines(since: mark)
        XCTAssertTrue(lines.contains { $0.contains("rolling out generation 3 to 1 workers") }, "the configured count wins when it changed")
        XCTAssertTrue(lines.contains { $0.contains("retiring worker slot=2") })
        XCTAssertTrue(lines.contains { $0.contains("retiring worker slot=1") })
    }

    // MARK: 5. WINCH

    func testWinchStopsWorkersKeepsMasterAndListener() throws {
        let s = try start(workers: 2)
        let before = s.workerPids()
        try s.signal(SIGWINCH)
        for pid in before.values {
            XCTAssertTrue(waitForProcessExit(pid, timeout: 10), "worker \(pid) still running after WINCH")
        }
        try s.waitForLog { log in before.values.allSatisfy { log.contains("worker exited slot=") && log.contains("pid=\($0) (") } }
        XCTAssertNil(try s.reapIfExited(), "the master exited on WINCH")
        XCTAssertEqual(Glibc.kill(s.pid, 0), 0)
        // The listener is still open (the test closed its own copy): a
        // connection is queued even though no worker is there to accept it.
        let waiting = try HTTPTestClient(port: s.port, timeout: 10)
        try waiting.send("GET /echo?queued=1 HTTP/1.1\r\nHost: x\r\n\r\n")
        let mark = s.errorLogMark()
        try s.signal(SIGTTIN)
        try s.waitForLogLine(containing: "worker ready slot=0 ", since: mark)
        let r = try waiting.readResponse()
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.json?["query"] as? String, "queued=1")
        XCTAssertEqual(try get(s, "/health").status, 200)
        XCTAssertEqual(s.workerPids().count, 2, "slots by their latest ready line")
        XCTAssertFalse(s.errorLogLines(since: mark).contains { $0.contains("worker ready slot=1 ") }, "TTIN brought back more than one worker")
    }

    // MARK: 6. Hung handler

    func testHungHandlerIsAbortedAsTimeoutAndReplaced() throws {
        let s = try start(["--timeout", "1", "--abort-grace", "1"], workers: 1)
        allowedLogLines = ["timeout: worker slot=0", "killed after timeout", "timeout: aborted by the master"]
        let victim = try XCTUnwrap(s.workerPids()[0])
        let hung = try HTTPTestClient(port: s.port, timeout: 15)
        let sent = Date()
        try hung.send("GET /echo?sleep_ms=600000 HTTP/1.1\r\nHost: x\r\n\r\n")
        let line = try s.waitForLogLine(containing: "timeout: worker slot=0 pid=\(victim)", timeout: 10)
        XCTAssertTrue(line.contains("/echo"), line)
        XCTAssertTrue(waitForProcessExit(victim, timeout: 10), "hung worker \(victim) was never killed")
        let elapsed = Date().timeIntervalSince(sent)
        // timeout 1 s + abort_grace 1 s + 1 s, and slack for a debug build.
        XCTAssertLessThan(elapsed, 1 + 1 + 1 + 1.5, "the hung worker was killed too late")
        XCTAssertGreaterThan(elapsed, 0.9, "the worker was killed before its timeout")
        try s.waitForLog { _ in (s.workerPids()[0] ?? victim) != victim }
        let replacement = try XCTUnwrap(s.workerPids()[0])
        XCTAssertNotEqual(replacement, victim)
        XCTAssertEqual(try get(s, "/health").status, 200)
        // The hung client gets end-of-file or a reset, never an answer.
        let answer: [UInt8]
        do { answer = try hung.readUntilClosed() } catch { answer = [] }
        XCTAssertFalse(String(decoding: answer, as: UTF8.self).contains("200 OK"),
                       "the hung request was answered: \(String(decoding: answer, as: UTF8.self))\nlog:\n\(s.errorLog())")
        let log = s.errorLog()
        XCTAssertTrue(log.contains("killed after timeout"), log)
        XCTAssertFalse(log.lowercased().contains("memory"), "a timeout was reported as a memory problem:\n\(log)")
    }

    // MARK: 7. Killed master

    func testWorkersExitWhenMasterIsKilled() throws {
        let s = try start(workers: 2)
        allowedLogLines = ["master closed the control socket"]
        let workers = Array(s.workerPids().values)
        XCTAssertEqual(workers.count, 2)
        try s.signal(SIGKILL)
        XCTAssertEqual(try s.waitExit(timeout: 5), .signaled(SIGKILL, coreDumped: false))
        let killedAt = Date()
        for pid in workers {
            XCTAssertTrue(waitForProcessExit(pid, timeout: 5), "worker \(pid) outlived its master")
        }
        XCTAssertLessThan(Date().timeIntervalSince(killedAt), 5)
        // The port is closed once the last holder is gone.
        XCTAssertThrowsError(try HTTPTestClient(port: s.port, timeout: 1).request("GET", "/health"))
    }

    // MARK: 8. max_requests

    func testMaxRequestsRecyclesWithSuccessorReadyFirst() throws {
        let s = try start(["--max-requests", "50"], workers: 2)
        allowedLogLines = []
        // Spread over a few seconds, so that workers are recycled while requests flow.
        let load = LoadGenerator(port: s.port, threads: 3, requestsPerThread: 100, maxDuration: 40, pauseMs: 20)
        load.start()
        let result = load.waitFinished(timeout: 45)
        XCTAssertEqual(result.failures, [], "failed requests while recycling")
        XCTAssertEqual(result.succeeded, 300)
        // Every replacement started must finish (its old worker retired).
        try s.waitForLog(timeout: 15) { log in
            let replacing = log.components(separatedBy: "(max_requests): starting its successor").count - 1
            let retiring = log.components(separatedBy: "(max_requests); replaced by").count - 1
            return replacing >= 2 && retiring == replacing
        }
        let lines = s.errorLog().split(separator: "\n").map(String.init)
        var replacements = 0
        for (i, line) in lines.enumerated() where line.contains("(max_requests): starting its successor") {
            replacements += 1
            let slot = try XCTUnwrap(field("slot", in: line))
            let old = try XCTUnwrap(field("pid", in: line))
            let retireIndex = try XCTUnwrap(lines.firstIndex { $0.contains("retiring worker slot=\(slot) pid=\(old) (max_requests)") },
                                            "no retirement for \(line)")
            let successor = try XCTUnwrap(lines[retireIndex].components(separatedBy: "replaced by pid=").last)
            let readyIndex = try XCTUnwrap(lines.firstIndex { $0.contains("worker ready slot=\(slot) pid=\(successor) ") },
                                           "successor \(successor) never ready")
            XCTAssertGreaterThan(readyIndex, i)
            XCTAssertLessThan(readyIndex, retireIndex, "pid \(old) retired before its successor \(successor) was ready")
        }
        XCTAssertGreaterThanOrEqual(replacements, 2)
        // Replay the log: once both workers were first ready, never fewer than two ready.
        var ready = Set<String>()
        var serving = false
        for line in lines {
            if line.contains("worker ready slot="), let pid = field("pid", in: line) { ready.insert(pid) }
            if line.contains("retiring worker") || line.contains("worker exited") || line.contains("worker died")
                || line.contains("worker killed"), let pid = field("pid", in: line) {
                ready.remove(pid)
            }
            if line.contains("all 2 workers ready") { serving = true }
            if serving { XCTAssertGreaterThanOrEqual(ready.count, 2, "fewer than two ready workers at: \(line)") }
        }
    }

    /// `key=value` from a log line (the first after the level and master pid).
    func field(_ key: String, in line: String) -> String? {
        let fields = line.split(separator: " ")
        // The third field is the logging process's own pid.
        return fields.dropFirst(3).first { $0.hasPrefix("\(key)=") && $0 != "slot=-" }.map { String($0.dropFirst(key.count + 1)) }
    }

    // MARK: 9. TERM with shutdown_delay

    func testTermWithShutdownDelayTurnsReadinessOffFirst() throws {
        let s = try start(["--shutdown-delay", "1"], workers: 2)
        // Before TERM, readiness is not 503 (the echo application has no
        // /health/ready route of its own; the worker answers 503 only while
        // unready or draining).
        XCTAssertNotEqual(try get(s, "/health/ready").status, 503)
        XCTAssertEqual(try get(s, "/health").status, 200)
        let termAt = Date()
        try s.signal(SIGTERM)
        try s.waitForLog { $0.contains("shutdown_delay") }
        var readiness = 0
        while Date().timeIntervalSince(termAt) < 0.8 {
            readiness = try get(s, "/health/ready").status
            if readiness == 503 { break }
            Clock.sleep(milliseconds: 10)
        }
        XCTAssertEqual(readiness, 503, "readiness did not turn 503 during shutdown_delay")
        // Both workers: each new connection may land on either.
        for _ in 0..<6 {
            XCTAssertEqual(try get(s, "/health/ready").status, 503)
            XCTAssertEqual(try get(s, "/health").status, 200, "liveness must stay 200 during shutdown_delay")
            XCTAssertEqual(try get(s, "/echo?during=delay").status, 200, "requests must still be served during shutdown_delay")
        }
        XCTAssertLessThan(Date().timeIntervalSince(termAt), 1, "the checks above ran after the delay")
        XCTAssertNil(try s.reapIfExited(), "the server stopped before shutdown_delay")
        XCTAssertEqual(try s.waitExit(timeout: 10), .exited(0))
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(termAt), 0.95, "the server did not wait shutdown_delay")
        try s.waitForNotification("STOPPING=1", timeout: 1)
    }

    // MARK: 10. Log rotation

    /// The `n=` query values of every access line in `text`; fails on a partial line.
    func requestNumbers(in text: String, file: StaticString = #filePath, line: UInt = #line) -> [Int] {
        if !text.isEmpty { XCTAssertTrue(text.hasSuffix("\n"), "an access log ends in a partial line", file: file, line: line) }
        var out: [Int] = []
        for l in text.split(separator: "\n") {
            guard let r = l.range(of: "GET /echo?n="), let end = l[r.upperBound...].firstIndex(of: " "),
                  let n = Int(l[r.upperBound..<end]) else {
                XCTFail("not a whole access line: \(l)", file: file, line: line)
                continue
            }
            out.append(n)
        }
        return out
    }

    func testSizeRotationUnderLoadLosesAndDuplicatesNothing() throws {
        let dir = try ServerProcess.makeTemporaryDirectory()
        let access = dir + "/access.log"
        let s = try ServerProcess(arguments: ["--app", "echo", "--workers", "2", "--access-logfile", access,
                                              "--log-max-bytes", "2000", "--log-backup-count", "50"], directory: dir)
        server = s
        try s.waitReady()
        let total = 500
        // About 2.5 s of load, so that the master rotates while workers write.
        let load = LoadGenerator(port: s.port, threads: 4, requestsPerThread: total / 4, maxDuration: 40, pauseMs: 20) { t, i in
            "/echo?n=\(i * 4 + t)"
        }
        load.start()
        let result = load.waitFinished(timeout: 45)
        XCTAssertEqual(result.failures, [])
        XCTAssertEqual(result.succeeded, total)
        // Every response was received, so every line is written: stop, then count.
        s.stopGracefully()
        XCTAssertEqual(s.exitStatus, .exited(0))
        var backups = 0
        while FileManager.default.fileExists(atPath: "\(access).\(backups + 1)") { backups += 1 }
        XCTAssertGreaterThanOrEqual(backups, 2, "the access log was not rotated")
        XCTAssertLessThan(backups, 50, "backups ran out: the oldest lines were deleted")
        var numbers: [Int] = []
        for i in 0...backups {
            let path = i == 0 ? access : "\(access).\(i)"
            numbers += requestNumbers(in: (try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
        }
        XCTAssertEqual(numbers.count, total, "access lines across \(backups + 1) files")
        XCTAssertEqual(Set(numbers).count, numbers.count, "duplicated access lines")
        XCTAssertEqual(Set(numbers), Set(0..<total), "missing access lines")
    }

    func testUsr1ReopensAccessLogAfterExternalRename() throws {
        let dir = try ServerProcess.makeTemporaryDirectory()
        let access = dir + "/access.log"
        let s = try ServerProcess(arguments: ["--app", "echo", "--workers", "2", "--access-logfile", access], directory: dir)
        server = s
        try s.waitReady()
        var n = 0
        let keepAlive = try HTTPTestClient(port: s.port)
        for _ in 0..<20 {
            XCTAssertEqual(try keepAlive.request("GET", "/echo?n=\(n)").status, 200)
            n += 1
        }
        try Files.rename(access, to: access + ".old")
        try s.signal(SIGUSR1)
        try s.waitForLog { $0.contains("received SIGUSR1") }
        // The workers reopen between requests; keep sending until the new file appears.
        let deadline = Date().addingTimeInterval(5)
        while !FileManager.default.fileExists(atPath: access) && Date() < deadline {
            XCTAssertEqual(try keepAlive.request("GET", "/echo?n=\(n)").status, 200)
            n += 1
            Clock.sleep(milliseconds: 10)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: access), "USR1 did not reopen the access log")
        let firstAfter = n
        for _ in 0..<20 {
            // New connections, so that both workers serve some.
            XCTAssertEqual(try get(s, "/echo?n=\(n)").status, 200)
            n += 1
        }
        s.stopGracefully()
        XCTAssertEqual(s.exitStatus, .exited(0))
        let old = requestNumbers(in: (try? String(contentsOfFile: access + ".old", encoding: .utf8)) ?? "")
        let new = requestNumbers(in: (try? String(contentsOfFile: access, encoding: .utf8)) ?? "")
        XCTAssertTrue(Set(0..<20).isSubset(of: Set(old)), "lines written before the rename are not in the renamed file")
        XCTAssertTrue(Set(firstAfter..<n).isSubset(of: Set(new)), "lines written after the reopen are not in the new file")
        let all = old + new
        XCTAssertEqual(all.count, n)
        XCTAssertEqual(Set(all), Set(0..<n), "lost access lines")
    }
}
