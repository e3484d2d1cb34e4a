import Foundation
import XCTest
@testable import ServerCore

/// `docs/settings.md` and `server.conf` are generated from the settings table
/// and committed; this fails when they are stale, and rewrites them when
/// `PADDOCK_REGENERATE=1` is set.
final class GeneratedFilesTests: XCTestCase {
    /// Tests/ServerCoreTests/GeneratedFilesTests.swift -> repository root.
    private let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testGeneratedFilesAreCurrent() throws {
        let files = [("docs/settings.md", SettingsDocs.markdown()), ("server.conf", SettingsDocs.sampleConfig())]
        let regenerate = ProcessInfo.processInfo.environment["PADDOCK_REGENERATE"] == "1"
        for (relativePath, generated) in files {
            let url = repositoryRoot.appendingPathComponent(relativePath)
            if regenerate {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try generated.write(to: url, atomically: true, encoding: .utf8)
                continue
            }
            // A missing file is stale too, with the same message, not a thrown error.
            let committed = FileManager.default.fileExists(atPath: url.path) ? try String(contentsOf: url, encoding: .utf8) : nil
            // Not XCTAssertEqual: dumping two whole documents would bury the instruction.
            XCTAssertTrue(committed == generated,
                           "\(relativePath) is stale: run PADDOCK_REGENERATE=1 swift test --filter testGeneratedFilesAreCurrent")
        }
    }
}
