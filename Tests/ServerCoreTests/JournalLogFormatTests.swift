import Posix
import XCTest
@testable import ServerCore

/// Error-log lines for journald: a `<N>` syslog priority first, no time of
/// their own; and `JOURNAL_STREAM` believed only when it names standard error.
final class JournalLogFormatTests: XCTestCase {
    private func journalLogger(format: LogFormat = .text) throws -> Logger {
        try Logger(path: "-", level: .debug, slot: 3, format: format, journal: true)
    }

    func testEachLevelCarriesItsSyslogPriority() throws {
        let logger = try journalLogger()
        let pid = Process.id
        XCTAssertEqual(String(decoding: logger.line(.debug, "d"), as: UTF8.self), "<7>debug pid=\(pid) slot=3 d\n")
        XCTAssertEqual(String(decoding: logger.line(.info, "i"), as: UTF8.self), "<6>info pid=\(pid) slot=3 i\n")
        XCTAssertEqual(String(decoding: logger.line(.warning, "w"), as: UTF8.self), "<4>warning pid=\(pid) slot=3 w\n")
        XCTAssertEqual(String(decoding: logger.line(.error, "e\nforged"), as: UTF8.self), "<3>error pid=\(pid) slot=3 e\\nforged\n")
        XCTAssertEqual(String(decoding: logger.line(.critical, "c"), as: UTF8.self), "<2>critical pid=\(pid) slot=3 c\n")
    }

    func testJSONLinesKeepTheirTimeAndGainThePrefix() throws {
        let line = String(decoding: try journalLogger(format: .json).line(.error, "x"), as: UTF8.self)
        XCTAssertTrue(line.hasPrefix("<3>{\"time\":\""), line)
        XCTAssertTrue(line.hasSuffix("\"message\":\"x\"}\n"), line)
    }

    func testOrdinaryLinesAreUnchanged() throws {
        let line = String(decoding: try Logger(path: "-", level: .info, slot: nil).line(.info, "m"), as: UTF8.self)
        XCTAssertTrue(line.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info pid=\d+ slot=- m\n$"#, options: .regularExpression) != nil, line)
    }

    func testJournalFormOnlyForStandardError() throws {
        let path = try temporaryDirectory().appendingPathComponent("e.log").path
        let logger = try Logger(path: path, level: .info, slot: nil, journal: true)
        XCTAssertFalse(logger.journal, "a log file is read by people and collectors, not journald")
        XCTAssertFalse(String(decoding: logger.line(.info, "m"), as: UTF8.self).hasPrefix("<"))
    }

    func testJournalStreamMustNameStandardError() throws {
        let status = try FileDescriptor.standardError.status()
        XCTAssertTrue(JournalStream.isStandardError(journalStream: "\(status.device):\(status.inode)"))
        XCTAssertFalse(JournalStream.isStandardError(journalStream: "\(status.device):\(status.inode + 1)"))
        XCTAssertFalse(JournalStream.isStandardError(journalStream: "\(status.device + 1):\(status.inode)"))
        XCTAssertFalse(JournalStream.isStandardError(journalStream: nil))
        for bad in ["", "1", "1:2:3", "a:b", ":"] { XCTAssertNil(JournalStream.parse(bad), bad) }
        XCTAssertEqual(JournalStream.parse("27:4091")?.inode, 4091)
    }
}
