import Foundation
import Glibc
import Posix
import XCTest
@testable import ServerCore

/// Log files are opened by root in the service user's directory: a planted
/// symbolic or hard link is refused, and a new file is created 0640.
final class LogFileSafetyTests: XCTestCase {
    private func contents(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    private func mode(_ path: String) -> UInt32? {
        var st = stat()
        return lstat(path, &st) == 0 ? st.st_mode & 0o777 : nil
    }

    /// A file the planted link points to, which must stay as it is.
    private func victim(in dir: URL) throws -> String {
        let path = dir.appendingPathComponent("victim").path
        try "root's file\n".write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    func testErrorLogReopenRefusesAPlantedSymlinkAndKeepsTheOpenFile() throws {
        let dir = try temporaryDirectory()
        let path = dir.appendingPathComponent("error.log").path
        let target = try victim(in: dir)
        let logger = try Logger(path: path, level: .info, slot: nil)
        logger.info("before")
        // What a rotation (or logrotate before USR1) leaves: the file renamed
        // away, and in the gap someone plants a link at the path.
        XCTAssertEqual(rename(path, path + ".1"), 0)
        XCTAssertEqual(symlink(target, path), 0)
        XCTAssertThrowsError(try logger.reopen()) { error in
            XCTAssertTrue("\(error)".contains(path) && "\(error)".contains("symbolic link"), "\(error)")
        }
        logger.info("after")
        XCTAssertEqual(contents(target), "root's file\n")
        let kept = try XCTUnwrap(contents(path + ".1"))
        XCTAssertTrue(kept.contains("before") && kept.contains("after"), kept)
    }

    func testAccessLogReopenRefusesAPlantedSymlink() throws {
        let dir = try temporaryDirectory()
        let path = dir.appendingPathComponent("access.log").path
        let target = try victim(in: dir)
        let log = try AccessLog(path: path, style: .json, proxyTrust: ProxyTrust(allowed: []))
        XCTAssertEqual(unlink(path), 0)
        XCTAssertEqual(symlink(target, path), 0)
        XCTAssertThrowsError(try log.reopen()) { error in
            XCTAssertTrue("\(error)".contains(path) && "\(error)".contains("symbolic link"), "\(error)")
        }
        XCTAssertEqual(contents(target), "root's file\n")
    }

    func testOpeningRefusesSymlinksAndHardLinks() throws {
        let dir = try temporaryDirectory()
        let target = try victim(in: dir)
        let linked = dir.appendingPathComponent("linked.log").path
        XCTAssertEqual(symlink(target, linked), 0)
        XCTAssertThrowsError(try Logger(path: linked, level: .info, slot: nil)) { error in
            XCTAssertTrue("\(error)".contains("refusing \(linked)"), "\(error)")
        }
        let dangling = dir.appendingPathComponent("dangling.log").path
        XCTAssertEqual(symlink(dir.appendingPathComponent("created-through-link").path, dangling), 0)
        XCTAssertThrowsError(try Logger(path: dangling, level: .info, slot: nil))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("created-through-link").path),
                       "O_CREAT must not create the target of a dangling link")
        let hard = dir.appendingPathComponent("hard.log").path
        XCTAssertEqual(link(target, hard), 0)
        XCTAssertThrowsError(try Logger(path: hard, level: .info, slot: nil)) { error in
            XCTAssertTrue("\(error)".contains("hard links"), "\(error)")
        }
        XCTAssertEqual(contents(target), "root's file\n")
    }

    func testNewLogFilesAre0640EvenWithUmaskZeroAndExistingFilesKeepTheirMode() throws {
        let dir = try temporaryDirectory()
        let previous = umask(0)
        defer { umask(previous) }
        let error = dir.appendingPathComponent("error.log").path
        let access = dir.appendingPathComponent("access.log").path
        _ = try Logger(path: error, level: .info, slot: nil)
        _ = try AccessLog(path: access, style: .json, proxyTrust: ProxyTrust(allowed: []))
        XCTAssertEqual(mode(error), 0o640)
        XCTAssertEqual(mode(access), 0o640)
        let existing = dir.appendingPathComponent("existing.log").path
        XCTAssertTrue(FileManager.default.createFile(atPath: existing, contents: nil, attributes: [.posixPermissions: 0o644]))
        _ = try Logger(path: existing, level: .info, slot: nil)
        XCTAssertEqual(mode(existing), 0o644, "an operator's choice of mode is kept")
    }

    func testDevStdoutAndStderrMeanTheStreams() throws {
        XCTAssertEqual(try Logger(path: "/dev/stderr", level: .info, slot: nil).fileDescriptor, .standardError)
        XCTAssertEqual(try Logger(path: "/dev/stdout", level: .info, slot: nil).fileDescriptor, .standardOutput)
        XCTAssertNil(try AccessLog(path: "/dev/stdout", style: .json, proxyTrust: ProxyTrust(allowed: [])).path)
    }

    func testRotationNeverFollowsALinkToMeasureIt() throws {
        let dir = try temporaryDirectory()
        let target = dir.appendingPathComponent("big").path
        try String(repeating: "x", count: 100).write(toFile: target, atomically: false, encoding: .utf8)
        let path = dir.appendingPathComponent("app.log").path
        XCTAssertEqual(symlink(target, path), 0)
        XCTAssertFalse(try LogRotation.rotateIfNeeded(path: path, maxBytes: 10, backups: 2))
        XCTAssertNil(try Files.size(path), "a link has no size of its own to rotate on")
    }
}
