import XCTest
import Glibc
@testable import Posix

final class EpollTests: XCTestCase {
    /// `struct epoll_event` is packed on x86-64 (12 bytes): indexing an event
    /// array with any other stride reads the wrong fds.
    func testEventLayoutMatchesTheKernel() {
        #if arch(x86_64)
        XCTAssertEqual(MemoryLayout<EpollEvent>.stride, 12)
        #endif
    }

    /// Several ready descriptors in one wait each come back with their own data.
    func testManyEventsInOneWaitCarryTheirOwnData() throws {
        let ep = try Epoll()
        var pipes: [(FileDescriptor, FileDescriptor)] = []
        for i in 0..<8 {
            var fds: [Int32] = [-1, -1]
            XCTAssertEqual(pipe(&fds), 0)
            let r = FileDescriptor(rawValue: fds[0]), w = FileDescriptor(rawValue: fds[1])
            pipes.append((r, w))
            try ep.add(r, events: Epoll.readable, data: UInt64(1000 + i))
            try w.writeAll([1])
        }
        defer { for (r, w) in pipes { r.closeAfterFailure(); w.closeAfterFailure() } }
        let events = UnsafeMutablePointer<EpollEvent>.allocate(capacity: 16)
        defer { events.deallocate() }
        let n = try ep.wait(into: events, capacity: 16, timeoutMs: 1000)
        XCTAssertEqual(n, 8)
        let seen = Set((0..<n).map { events[$0].data.u64 })
        XCTAssertEqual(seen, Set((0..<8).map { UInt64(1000 + $0) }))
    }
}
