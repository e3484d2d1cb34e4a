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

    /// docs/applications.md shows the example package's files as they are.
    func testTheApplicationGuideShowsTheExamplePackage() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let guide = try String(contentsOf: root.appendingPathComponent("docs/applications.md"), encoding: .utf8)
        for file in ["Package.swift", "Sources/HelloApp/Hello.swift", "Sources/HelloApp/Hello+Schema.swift",
                     "Sources/HelloApp/Note.swift", "Sources/hello/main.swift", "Tests/HelloAppTests/HelloTests.swift"] {
            let text = try String(contentsOf: root.appendingPathComponent("Examples/hello/" + file), encoding: .utf8)
            XCTAssertTrue(guide.contains("```swift\n" + text + "```\n"), "docs/applications.md does not show Examples/hello/\(file) as it is")
        }
    }
}
