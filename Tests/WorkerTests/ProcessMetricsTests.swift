import XCTest
import ServerCore
@testable import Worker

/// `process_*`, `paddock_build_info` and `paddock_db_*` on `/metrics`,
/// summed from the master's figures and every live worker's slot.
final class ProcessMetricsTests: XCTestCase {
    func lines(_ board: Scoreboard) -> [String] {
        String(decoding: AdminEndpoints(scoreboard: board, listeners: []).metrics().body, as: UTF8.self)
            .split(separator: "\n").map(String.init)
    }

    func value(_ name: String, _ board: Scoreboard) -> Double? {
        lines(board).first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ")[1]) }
    }

    /// What the master does when it reaps the worker in `entry` (Arbiter.retireEntry).
    func retire(_ board: Scoreboard, entry: Int, reapedChildren: UInt64) {
        let header = board.header
        header.sequence &+= 1
        board.masterFigures!.retire(board.slot(entry).figures!, reapedChildrenNanoseconds: reapedChildren)
        board.slot(entry).state = .empty
        header.sequence &+= 1
    }

    func testBuildInfoCarriesWhatVersionPrintsWithLabelsEscaped() throws {
        let (board, fd) = try Scoreboard.create(slots: 1)
        fd.closeAfterFailure()
        let info = lines(board).filter { $0.hasPrefix("paddock_build_info") }
        XCTAssertEqual(info, ["paddock_build_info{version=\"\(PaddockVersion.string)\",commit=\"\(PaddockVersion.commit)\",swift=\"\(PaddockVersion.swift)\"} 1"])
        XCTAssertTrue(lines(board).contains("# TYPE paddock_build_info gauge"))
        XCTAssertEqual(BuildInfo.escaped("a\"b\\c\nd\r\ne"), #"a\"b\\c\nd"# + "\r" + #"\ne"#)
    }

    func testProcessFiguresAreSummedOverTheMasterAndItsLiveWorkers() throws {
        let (board, fd) = try Scoreboard.create(slots: 4)
        fd.closeAfterFailure()
        let master = try XCTUnwrap(board.masterFigures)
        master.cpuNanoseconds = 1_500_000_000
        master.rss = 10_000
        master.pss = 8_000
        master.openFDs = 12
        master.maxFDs = 4096
        master.startTimeNanoseconds = 1_700_000_000_250_000_000
        for (entry, pid) in [(0, Int32(41)), (1, 42)] {
            let slot = board.slot(entry)
            slot.reset(pid: pid, generation: 1, now: 1, slot: entry)
            slot.rss = 20_000
            slot.figures!.pss = 5_000
            slot.figures!.openFDs = 30
            slot.figures!.cpuNanoseconds = 250_000_000
        }
        // An entry the master freed is not summed.
        board.slot(2).reset(pid: 43, generation: 1, now: 1, slot: 2)
        board.slot(2).figures!.openFDs = 1000
        board.slot(2).state = .empty
        XCTAssertEqual(value("process_cpu_seconds_total", board), 2.0)
        XCTAssertEqual(value("process_resident_memory_bytes", board), 50_000)
        XCTAssertEqual(value("paddock_memory_pss_bytes", board), 18_000)
        XCTAssertEqual(value("process_open_fds", board), 72)
        XCTAssertEqual(value("process_max_fds", board), 4096)
        XCTAssertEqual(value("process_start_time_seconds", board), 1_700_000_000.25)
        let text = lines(board)
        XCTAssertTrue(text.contains("# TYPE process_cpu_seconds_total counter"))
        XCTAssertTrue(text.contains("# TYPE process_resident_memory_bytes gauge"))
        XCTAssertTrue(text.contains("# TYPE process_open_fds gauge"))
    }

    /// A worker exits between two scrapes: before the master reaps it its
    /// last published figure stays in its slot; once reaped, its CPU moves
    /// into the master's retired total at no less than it had published,
    /// whatever the kernel charged the master's children for it.
    func testCPUNeverFallsWhenAWorkerExitsBetweenScrapes() throws {
        let (board, fd) = try Scoreboard.create(slots: 4)
        fd.closeAfterFailure()
        let master = try XCTUnwrap(board.masterFigures)
        master.cpuNanoseconds = 1_000_000_000
        for entry in 0..<3 {
            board.slot(entry).reset(pid: Int32(50 + entry), generation: 1, now: 1, slot: entry)
            board.slot(entry).figures!.cpuNanoseconds = UInt64(entry + 1) * 1_000_000_000
        }
        var seen: [Double] = []
        func scrape() { seen.append(value("process_cpu_seconds_total", board) ?? -1) }
        scrape()                                    // 1 + 1 + 2 + 3
        // Worker 1 has exited, not reaped yet: its slot still speaks for it.
        scrape()
        // Reaped: the kernel charges 2.4 s (it ran on after its last publishing).
        retire(board, entry: 1, reapedChildren: 2_400_000_000)
        scrape()
        // Reaped: the kernel's figure for worker 2 is a hair below what it published.
        retire(board, entry: 2, reapedChildren: 2_400_000_000 + 2_999_000_000)
        scrape()
        // The master and worker 0 run on.
        master.cpuNanoseconds += 100_000_000
        board.slot(0).figures!.cpuNanoseconds += 100_000_000
        scrape()
        XCTAssertEqual(seen, [7.0, 7.0, 7.4, 7.4, 7.6])
        XCTAssertEqual(board.slot(1).figures!.cpuNanoseconds, 0, "the slot no longer holds what the total does")
    }

    func testDatabaseCountersAreSummedAndKeptWhenAWorkerExits() throws {
        let (board, fd) = try Scoreboard.create(slots: 2)
        fd.closeAfterFailure()
        for entry in 0..<2 { board.slot(entry).reset(pid: Int32(60 + entry), generation: 1, now: 1, slot: entry) }
        let a = board.slot(0).figures!.database, b = board.slot(1).figures!.database
        a.recordCall(nanoseconds: 40_000)          // <= 50 µs
        a.recordCall(nanoseconds: 3_000_000)       // <= 5 ms
        b.recordCall(nanoseconds: 9_000_000_000)   // +Inf
        a.countError(.uniqueViolation)
        b.countError(.unavailable)
        b.countReconnect()
        func series() -> [String] {
            lines(board).filter { $0.hasPrefix("paddock_db_") }
        }
        let before = series()
        XCTAssertTrue(before.contains(#"paddock_db_query_duration_seconds_bucket{le="5e-05"} 1"#), "\(before)")
        XCTAssertTrue(before.contains(#"paddock_db_query_duration_seconds_bucket{le="0.005"} 2"#), "\(before)")
        XCTAssertTrue(before.contains(#"paddock_db_query_duration_seconds_bucket{le="5.0"} 2"#), "\(before)")
        XCTAssertTrue(before.contains(#"paddock_db_query_duration_seconds_bucket{le="+Inf"} 3"#), "\(before)")
        XCTAssertTrue(before.contains("paddock_db_query_duration_seconds_count 3"), "\(before)")
        XCTAssertTrue(before.contains("paddock_db_query_duration_seconds_sum 9.003040"), "\(before)")
        XCTAssertTrue(before.contains(#"paddock_db_errors_total{class="unique_violation"} 1"#), "\(before)")
        XCTAssertTrue(before.contains(#"paddock_db_errors_total{class="unavailable"} 1"#), "\(before)")
        XCTAssertTrue(before.contains(#"paddock_db_errors_total{class="other"} 0"#), "\(before)")
        XCTAssertTrue(before.contains("paddock_db_reconnects_total 1"), "\(before)")
        retire(board, entry: 1, reapedChildren: 0)
        XCTAssertEqual(series(), before, "an exited worker's counts stay in the totals")
        XCTAssertEqual(b.calls, 0)
    }
}
