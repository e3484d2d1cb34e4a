import Glibc
import XCTest
@testable import Posix

/// The figures each process publishes about itself for `process_*`.
final class ProcessUsageTests: XCTestCase {
    func testOpenDescriptorsCountWhatThisProcessOpens() throws {
        let before = try Process.openDescriptorCount()
        let fd = try Files.open("/dev/null", flags: O_RDONLY)
        XCTAssertEqual(try Process.openDescriptorCount(), before + 1, "the directory being read is not counted")
        try fd.close()
        XCTAssertEqual(try Process.openDescriptorCount(), before)
    }

    func testCPUTimeGrowsWithWork() throws {
        let before = try Process.cpuNanoseconds(.own)
        var x: UInt64 = 1
        let until = Clock.monotonicNanoseconds() + 30_000_000
        while Clock.monotonicNanoseconds() < until { x = x &* 6364136223846793005 &+ 1 }
        XCTAssertNotEqual(x, 0)
        XCTAssertGreaterThan(try Process.cpuNanoseconds(.own), before)
        XCTAssertGreaterThanOrEqual(try Process.cpuNanoseconds(.reapedChildren), 0)
    }

    func testStartTimeIsThisProcessesStart() throws {
        let start = try XCTUnwrap(Process.startTimeNanoseconds())
        let now = Clock.realtime()
        let wall = UInt64(now.seconds) * 1_000_000_000 + UInt64(now.nanoseconds)
        XCTAssertLessThanOrEqual(start, wall)
        // This process started before its first test ran, and after the clock was sane.
        XCTAssertGreaterThan(start, wall - 24 * 3600 * 1_000_000_000)
        XCTAssertEqual(Process.startTimeNanoseconds().map { Double($0) } ?? 0, Double(start), accuracy: 20_000_000, "the same start when read again")
    }

    func testProportionalSetSizeIsReportedWhereTheKernelHasARollup() throws {
        guard Files.exists("/proc/self/smaps_rollup") else { throw XCTSkip("no smaps_rollup on this kernel") }
        let pss = try XCTUnwrap(Process.proportionalSetBytes())
        XCTAssertGreaterThan(pss, 0)
        XCTAssertLessThanOrEqual(pss, (Process.residentBytes(of: Process.id) ?? 0) + 1 << 20)
    }
}
