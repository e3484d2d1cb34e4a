import Foundation
import XCTest

/// Config files for tests, in a fresh folder under the system temporary
/// directory that is removed when the test ends.
extension XCTestCase {
    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("paddock-settings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try FileManager.default.removeItem(at: url) }
        return url
    }

    /// Writes `text` to a new file and returns its path.
    func writeConfig(_ text: String, named name: String = "server.conf") throws -> String {
        let url = try temporaryDirectory().appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}
