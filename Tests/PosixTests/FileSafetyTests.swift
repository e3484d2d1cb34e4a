import Foundation
import Glibc
import XCTest
@testable import Posix

/// Writing files where someone else may have planted something first.
final class FileSafetyTests: XCTestCase {
    private func directory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("paddock-posix-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    private func contents(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    func testAtomicWriteNeverWritesThroughALinkAtItsTemporaryName() throws {
        let dir = try directory()
        let target = dir + "/victim"
        try "root's file\n".write(toFile: target, atomically: false, encoding: .utf8)
        let path = dir + "/paddock.pid"
        XCTAssertEqual(symlink(target, "\(path).tmp.\(getpid())"), 0)
        try Files.writeAtomically(path, contents: "123\n")
        XCTAssertEqual(contents(target), "root's file\n")
        XCTAssertEqual(contents(path), "123\n")
        XCTAssertNil(try Files.linkStatus("\(path).tmp.\(getpid())"))
    }

    func testAtomicWriteReplacesAStaleTemporaryFileAndALinkAtTheTarget() throws {
        let dir = try directory()
        let path = dir + "/paddock.pid"
        try "stale, from a crash".write(toFile: "\(path).tmp.\(getpid())", atomically: false, encoding: .utf8)
        let target = dir + "/victim"
        try "root's file\n".write(toFile: target, atomically: false, encoding: .utf8)
        XCTAssertEqual(symlink(target, path), 0)
        try Files.writeAtomically(path, contents: "456\n", mode: 0o644)
        XCTAssertEqual(contents(path), "456\n")
        XCTAssertEqual(contents(target), "root's file\n", "rename replaces the link, not its target")
        XCTAssertEqual(try Files.linkStatus(path)?.isRegularFile, true)
    }

    func testCreateIfMissingUsesExactlyTheModeAndLeavesWhatIsThere() throws {
        let dir = try directory()
        let previous = umask(0)
        defer { umask(previous) }
        XCTAssertTrue(try Files.createIfMissing(dir + "/db", mode: 0o600))
        XCTAssertEqual(try Files.linkStatus(dir + "/db")?.permissions, 0o600)
        XCTAssertFalse(try Files.createIfMissing(dir + "/db", mode: 0o644))
        XCTAssertEqual(try Files.linkStatus(dir + "/db")?.permissions, 0o600)
        XCTAssertEqual(symlink(dir + "/elsewhere", dir + "/link"), 0)
        XCTAssertFalse(try Files.createIfMissing(dir + "/link", mode: 0o600))
        XCTAssertNil(try Files.linkStatus(dir + "/elsewhere"), "a dangling link's target is not created")
    }

    func testOpenNoFollowDoesNotBlockOnAFIFO() throws {
        let dir = try directory()
        XCTAssertEqual(mkfifo(dir + "/fifo", 0o600), 0)
        // No reader: a blocking open for writing would wait forever.
        XCTAssertThrowsError(try Files.openAppend(dir + "/fifo"))
        let reader = try Files.openExistingNoFollow(dir + "/fifo", flags: O_RDONLY)
        XCTAssertNotNil(reader)
        try reader?.close()
    }
}
