import XCTest
@testable import ServerCore

/// The generated texts mention every setting with the facts people look for.
final class SettingsDocsTests: XCTestCase {
    func testHelpListsEverySettingKeyAndFlag() {
        let help = SettingsDocs.help(programName: "paddock")
        XCTAssertTrue(help.hasPrefix("Usage: paddock "))
        for option in ["--config", "--check-config", "--print-config", "--help", "--version"] {
            XCTAssertTrue(help.contains(option), option)
        }
        for spec in Settings.all {
            XCTAssertTrue(help.contains("[\(spec.key)]"), "--help lacks \(spec.key)")
            XCTAssertTrue(help.contains(spec.summary), "--help lacks the summary of \(spec.key)")
            for flag in spec.flags { XCTAssertTrue(help.contains(flag), "--help lacks \(flag)") }
        }
        XCTAssertTrue(help.contains("--reuse-port, --no-reuse-port    [reuse_port]"), help)
    }

    func testMarkdownDescribesEverySetting() {
        let md = SettingsDocs.markdown()
        for spec in Settings.all {
            XCTAssertTrue(md.contains("### \(spec.key)\n\n\(spec.summary)\n"), spec.key)
            XCTAssertTrue(md.contains("`\(spec.environmentVariable)`"), spec.key)
            XCTAssertTrue(md.contains("## \(spec.section) settings"), spec.section)
            if !spec.doc.isEmpty { XCTAssertTrue(md.contains(spec.doc), spec.key) }
        }
        XCTAssertTrue(md.contains("| Default | `2 x usable CPUs + 1` |"), "a machine-dependent default shows its description")
        XCTAssertTrue(md.contains("| Bounds | 1 to 1024 |"))
        XCTAssertTrue(md.contains("`--no-reuse-port`"))
    }

    func testSampleConfigHasEverySettingCommentedOut() throws {
        let sample = SettingsDocs.sampleConfig()
        for spec in Settings.all {
            XCTAssertTrue(sample.contains("\n# \(spec.summary)\n# \(spec.key) = "), spec.key)
        }
        XCTAssertTrue(sample.contains("# workers = 2 x usable CPUs + 1\n"))
        // Everything is commented out, so the sample loads as the defaults.
        XCTAssertEqual(try ConfigLoader.parse(text: sample, path: "server.conf"), Configuration.defaults())
    }
}
