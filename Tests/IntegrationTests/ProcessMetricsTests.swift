import Foundation
import Glibc
import Posix
import TestSupport
import XCTest

/// The `process_*` metrics and `paddock_build_info` on the admin listener of
/// the real binary: the whole server (master and workers) as one process
/// tree, each process publishing its own figures.
final class ProcessMetricsTests: XCTestCase {
    var server: ServerProcess?
    var admin = ""
    /// Error-log lines a test expects (a worker it killed).
    var allowed: [String] = []

    override func tearDown() {
        if let server {
            server.stopGracefully()
            XCTAssertEqual(server.unexpectedErrorLines(allowing: allowed), [], "unexpected error lines in the server log")
        }
        server = nil
        allowed = []
        super.tearDown()
    }

    func start(workers: Int = 2) throws -> ServerProcess {
        let dir = try ServerProcess.makeTemporaryDirectory()
        admin = dir + "/admin.sock"
        let s = try ServerProcess(arguments: [], configText: "app = echo\nworkers = \(workers)\nadmin_bind = unix:\(admin)\n", directory: dir)
        server = s
        try s.waitReady(timeout: 60)
        return s
    }

    /// Scrapes until `done` holds (figures are published about once a second), bounded.
    @discardableResult
    func scrape(until done: (MetricsScrape) -> Bool, timeout: Double = 15) throws -> MetricsScrape {
        let deadline = Date().addingTimeInterval(timeout)
        var last = try MetricsScrape(adminSocket: admin)
        while !done(last) && Date() < deadline {
            Clock.sleep(milliseconds: 100)
            last = try MetricsScrape(adminSocket: admin)
        }
        return last
    }

    func pids(_ s: ServerProcess) -> [Int32] { [s.pid] + s.workerPids().values.sorted() }

    func testBuildInfoDescriptorsMemoryAndStartTimeDescribeTheProcessTree() throws {
        let s = try start()
        let version = try ServerProcess.run(["--version"])
        let printed = version.stdout.split(separator: "\n").map(String.init)
        let number = try XCTUnwrap(printed.first?.split(separator: " ").last)
        let commit = try XCTUnwrap(printed.first { $0.hasPrefix("commit ") }?.dropFirst(7))
        let info = try MetricsScrape(adminSocket: admin).lines.filter { $0.hasPrefix("paddock_build_info{") }
        XCTAssertEqual(info.count, 1, "\(info)")
        XCTAssertTrue(info.first?.hasPrefix("paddock_build_info{version=\"\(number)\",commit=\"\(commit)\",swift=\"") == true, "\(info)")
        XCTAssertTrue(info.first?.hasSuffix("\"} 1") == true, "\(info)")

        let processes = pids(s)
        XCTAssertEqual(processes.count, 3, s.errorLog())
        // Every process publishes about once a second: wait until the sum covers what the test counts.
        let counted = processes.map(ProcFigures.openDescriptors).reduce(0, +)
        let fds = try scrape(until: { ($0.value("process_open_fds") ?? 0) >= Double(counted) })
        let published = try XCTUnwrap(fds.value("process_open_fds"))
        XCTAssertGreaterThanOrEqual(published, Double(counted), "master and both workers: \(counted) in /proc")
        XCTAssertLessThan(published, Double(counted + 30), "no descriptor counted twice")

        let rss = Double(processes.map(ProcFigures.residentBytes).reduce(0, +))
        let memory = try XCTUnwrap(fds.value("process_resident_memory_bytes"))
        XCTAssertGreaterThan(memory, rss * 0.5, "sum of the three processes' VmRSS: \(rss)")
        XCTAssertLessThan(memory, rss * 2, "sum of the three processes' VmRSS: \(rss)")
        if let pss = fds.value("paddock_memory_pss_bytes") {
            XCTAssertGreaterThan(pss, 0)
            XCTAssertLessThanOrEqual(pss, memory * 1.5, "PSS shares pages RSS counts in full")
        }

        let started = try XCTUnwrap(ProcFigures.startTime(s.pid))
        let reported = try XCTUnwrap(fds.value("process_start_time_seconds"))
        XCTAssertEqual(reported, started, accuracy: 1, "the master's start from /proc/\(s.pid)/stat")
        let limit = try XCTUnwrap(fds.value("process_max_fds"))
        XCTAssertGreaterThan(limit, published / 3, "the master's soft RLIMIT_NOFILE")
    }

    /// CPU time grows under load and never falls, not when a worker is
    /// killed and replaced, nor across a reload that replaces them all.
    func testCPUSecondsGrowUnderLoadAndNeverFallWhenWorkersAreReplaced() throws {
        let s = try start()
        let before = try XCTUnwrap(try scrape(until: { ($0.value("process_cpu_seconds_total") ?? 0) > 0 }).value("process_cpu_seconds_total"))
        let client = try HTTPTestClient(port: s.port, timeout: 10)
        let loadEnds = Date().addingTimeInterval(20)
        var sent = 0
        var grown = try MetricsScrape(adminSocket: admin)
        while sent < 20_000 && Date() < loadEnds {
            for _ in 0..<200 { _ = try client.request("GET", "/load"); sent += 1 }
            grown = try MetricsScrape(adminSocket: admin)
            if (grown.value("process_cpu_seconds_total") ?? 0) > before + 0.05 { break }
        }
        XCTAssertGreaterThan(try XCTUnwrap(grown.value("process_cpu_seconds_total")), before, "after \(sent) requests")

        var seen: [Double] = []
        func sample() throws {
            let m = try MetricsScrape(adminSocket: admin)
            if let v = m.value("process_cpu_seconds_total") { seen.append(v) }
        }
        try sample()
        let victim = try XCTUnwrap(s.workerPids()[0])
        allowed = ["worker died slot=0 pid=\(victim)"]
        XCTAssertTrue(try Process.kill(victim, SIGTERM))
        // Scrape through the exit, the reaping and the replacement's boot.
        let replaced = Date().addingTimeInterval(30)
        while Date() < replaced && (s.workerPids()[0] == victim || seen.count < 20) {
            try sample()
            Clock.sleep(milliseconds: 50)
        }
        XCTAssertNotEqual(s.workerPids()[0], victim, "the master replaces the worker; log:\n\(s.errorLog())")
        for _ in 0..<30 { try sample(); Clock.sleep(milliseconds: 50) }
        XCTAssertEqual(zip(seen, seen.dropFirst()).filter { $0.1 < $0.0 }.map { "\($0.0) -> \($0.1)" }, [],
                       "process_cpu_seconds_total went backwards")

        // A reload replaces every worker: the counters carry on.
        let requests = try MetricsScrape(adminSocket: admin).sum("paddock_requests_total")
        let notices = s.allNotifications().count
        try s.signal(SIGHUP)
        let reloaded = Date().addingTimeInterval(60)
        var done = false
        while Date() < reloaded && !done {
            try sample()
            // Reads the notifications that arrived meanwhile (waiting at most 50 ms).
            done = (try? s.waitForNotification("reloaded", timeout: 0.05, after: notices)) != nil
        }
        XCTAssertTrue(done, "the reload finished; log:\n\(s.errorLog())")
        try sample()
        XCTAssertEqual(zip(seen, seen.dropFirst()).filter { $0.1 < $0.0 }.map { "\($0.0) -> \($0.1)" }, [],
                       "process_cpu_seconds_total went backwards across the reload")
        XCTAssertGreaterThanOrEqual(try MetricsScrape(adminSocket: admin).sum("paddock_requests_total"), requests,
                                    "request counts survive the reload")
    }
}
