import XCTest
import ServerCore
@testable import Worker

/// A board's slot size and layout come from its header: a process of this
/// executable maps a board made by a master of another layout (an upgrade
/// in place, or HUP after the binary was replaced) at that board's slot
/// size, so the common fields are where its master reads them, and leaves
/// the figures alone.
final class ScoreboardLayoutTests: XCTestCase {
    func metrics(_ board: Scoreboard) -> String {
        String(decoding: AdminEndpoints(scoreboard: board, listeners: []).metrics().body, as: UTF8.self)
    }

    func testABoardOfThisLayoutHasFigures() throws {
        let (board, fd) = try Scoreboard.create(slots: 3)
        defer { fd.closeAfterFailure() }
        let mapped = try Scoreboard(fd: fd)
        XCTAssertEqual(mapped.slots, 3)
        XCTAssertEqual(mapped.slotBytes, Scoreboard.slotSize)
        XCTAssertTrue(mapped.hasFigures)
        board.slot(2).reset(pid: 9, generation: 1, now: 1, slot: 2)
        board.slot(2).figures!.openFDs = 17
        XCTAssertEqual(mapped.slot(2).figures?.openFDs, 17)
        XCTAssertNotNil(mapped.masterFigures)
    }

    /// A board made by a master from before slots grew: no layout in its
    /// header, 1024-byte slots.
    func testALegacyBoardIsMappedWithItsSlotSizeAndWithoutFigures() throws {
        let (made, fd) = try Scoreboard.create(slots: 4)
        defer { fd.closeAfterFailure() }
        // What an older master leaves in the header: no layout, no slot size.
        made.mapping.base.storeBytes(of: UInt64(0), toByteOffset: 48, as: UInt64.self)
        made.mapping.base.storeBytes(of: UInt64(0), toByteOffset: 56, as: UInt64.self)
        let legacy = try Scoreboard(fd: fd)
        XCTAssertEqual(legacy.slotBytes, Scoreboard.legacySlotSize)
        XCTAssertEqual(legacy.slots, 8, "the same bytes hold twice as many legacy slots")
        XCTAssertFalse(legacy.hasFigures)
        XCTAssertNil(legacy.masterFigures)
        // The old master's worker 3 at its legacy offset.
        let entry3 = Scoreboard.headerSize + 3 * Scoreboard.legacySlotSize
        made.mapping.base.storeBytes(of: Int32(4242), toByteOffset: entry3, as: Int32.self)
        XCTAssertEqual(legacy.slot(3).pid, 4242)
        XCTAssertNil(legacy.slot(3).figures, "a legacy slot has no room for figures")
        // Clearing an entry clears its 1024 bytes, not its neighbour's.
        legacy.slot(4).reset(pid: 5, generation: 1, now: 1, slot: 4)
        legacy.slot(2).reset(pid: 7, generation: 1, now: 1, slot: 2)
        XCTAssertEqual(legacy.slot(3).pid, 4242)
        XCTAssertEqual(legacy.slot(4).pid, 5)
        legacy.slot(2).counters.record(route: RouteLabels.other, status: 200, nanoseconds: 1)
        let text = metrics(legacy)
        XCTAssertTrue(text.contains(#"paddock_requests_total{route="other",status="200"} 1"#), text)
        XCTAssertFalse(text.contains("process_cpu_seconds_total"), "figures are not read from a board of another layout")
        XCTAssertFalse(text.contains("paddock_db_query_duration_seconds"))
        XCTAssertTrue(text.contains("paddock_build_info{"))
    }

    /// A board of a later layout, with larger slots: this executable finds
    /// each slot where that master put it and does not read its figures.
    func testABoardOfALaterLayoutIsNotMisread() throws {
        let (made, fd) = try Scoreboard.create(slots: 4)
        defer { fd.closeAfterFailure() }
        made.mapping.base.storeBytes(of: Scoreboard.layoutVersion + 1, toByteOffset: 48, as: UInt64.self)
        made.mapping.base.storeBytes(of: UInt64(4096), toByteOffset: 56, as: UInt64.self)
        let later = try Scoreboard(fd: fd)
        XCTAssertEqual(later.slotBytes, 4096)
        XCTAssertEqual(later.slots, 2)
        XCTAssertFalse(later.hasFigures)
        made.mapping.base.storeBytes(of: Int32(77), toByteOffset: Scoreboard.headerSize + 4096, as: Int32.self)
        XCTAssertEqual(later.slot(1).pid, 77)
        XCTAssertNil(later.slot(1).figures)
        XCTAssertFalse(metrics(later).contains("process_open_fds"))
    }

    /// A slot size no layout has is read as legacy, never used to compute addresses.
    func testADamagedSlotSizeIsReadAsLegacy() throws {
        let (made, fd) = try Scoreboard.create(slots: 2)
        defer { fd.closeAfterFailure() }
        made.mapping.base.storeBytes(of: UInt64(100), toByteOffset: 56, as: UInt64.self)
        let board = try Scoreboard(fd: fd)
        XCTAssertEqual(board.slotBytes, Scoreboard.legacySlotSize)
        XCTAssertFalse(board.hasFigures)
    }
}
