import XCTest
@testable import ServerCore

/// `--version` names everything a bug report needs; `--help` lists commands.
final class VersionReportTests: XCTestCase {
    func testReportHasVersionCommitSwiftOpenSSLAndLibraries() {
        let lines = PaddockVersion.report(programName: "paddock", libraries: [("libpq", "16.4"), ("sqlite", "3.45.1")])
            .split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 6, "\(lines)")
        XCTAssertEqual(lines[0], "paddock \(PaddockVersion.string)")
        XCTAssertTrue(lines[1].hasPrefix("commit "), lines[1])
        XCTAssertTrue(lines[2].range(of: #"^swift \d+\.\d+"#, options: .regularExpression) != nil, lines[2])
        XCTAssertTrue(lines[3].hasPrefix("openssl OpenSSL 3") || lines[3].hasPrefix("openssl OpenSSL 1"), lines[3])
        XCTAssertEqual(Array(lines[4...]), ["libpq 16.4", "sqlite 3.45.1"])
    }

    func testVersionIsSemantic() {
        XCTAssertNotNil(PaddockVersion.string.range(of: #"^\d+\.\d+\.\d+$"#, options: .regularExpression))
    }

    func testHelpListsCommandsAfterOptions() {
        let help = SettingsDocs.help(programName: "paddock", commands: [("migrate", "Apply migrations."), ("seed", "")])
        let commands = try! XCTUnwrap(help.range(of: "\nCommands:\n"))
        XCTAssertTrue(help[commands.upperBound...].hasPrefix("  migrate\n      Apply migrations.\n  seed\n"))
        XCTAssertLessThan(help.range(of: "--check-config")!.lowerBound, commands.lowerBound)
        XCTAssertFalse(SettingsDocs.help(programName: "paddock").contains("\nCommands:\n"))
    }
}
