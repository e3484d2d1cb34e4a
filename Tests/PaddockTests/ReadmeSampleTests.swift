import Foundation
import XCTest

/// The README's library sample is the example application the integration
/// tests build and run, so it compiles against the real API.
final class ReadmeSampleTests: XCTestCase {
    func testTheReadmeSampleIsTheCompiledExample() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let sample = try String(contentsOf: root.appendingPathComponent("Sources/PaddockExampleTestApp/main.swift"), encoding: .utf8)
        XCTAssertTrue(readme.contains("```swift\n" + sample + "```\n"),
                      "README.md's \"Use Paddock as a library\" sample differs from Sources/PaddockExampleTestApp/main.swift")
    }
}
