import Posix
import ServerCore
import XCTest

/// The session ticket keys the master hands every worker.
final class SessionTicketKeysTests: XCTestCase {
    func testAWorkerReadsTheSameKeysFromEverySpawnsFile() throws {
        let keys = SessionTicketKeys()
        let fd = try keys.memfd()
        XCTAssertEqual(try keys.memfd(), fd, "one file for every spawn")
        // Each worker gets its own copy of the descriptor, which it closes.
        let first = try SessionTicketKeys.inherited(try fd.duplicate())
        let second = try SessionTicketKeys.inherited(try fd.duplicate())
        XCTAssertEqual(first?.count, SessionTicketKeys.length)
        XCTAssertEqual(first, second)
        let newer = SessionTicketKeys()
        let other = try SessionTicketKeys.inherited(try newer.memfd().duplicate())
        XCTAssertNotEqual(first, other, "a new master makes new keys")
    }

    func testNoInheritedFileMeansNoSharedKeys() throws {
        // A descriptor number nothing holds: a worker spawned by a master that passes no keys.
        let fd = try Files.memfd(name: "probe")
        try fd.close()
        XCTAssertNil(try SessionTicketKeys.inherited(fd))
        // Something other than 80 bytes is not taken for keys.
        let wrong = try Files.memfd(name: "wrong")
        try wrong.writeAll([UInt8](repeating: 1, count: 12))
        XCTAssertNil(try SessionTicketKeys.inherited(wrong))
    }
}
