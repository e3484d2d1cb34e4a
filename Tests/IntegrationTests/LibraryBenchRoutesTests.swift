import Foundation
import TestSupport
import XCTest

/// The route pair bench/library.sh measures answers the same bytes both
/// ways, so the comparison is of the encoders alone.
final class LibraryBenchRoutesTests: XCTestCase {
    func testCodableAndWriterRoutesAnswerTheSameBody() throws {
        let s = try ServerProcess(arguments: ["--workers", "1", "--boot-timeout", "60"], binary: ServerProcess.exampleAppBinary)
        addTeardownBlock { s.stop() }
        try s.waitReady(timeout: 60)
        let codable = try HTTPTestClient(port: s.port, timeout: 10).request("GET", "/bench/codable", close: true)
        let writer = try HTTPTestClient(port: s.port, timeout: 10).request("GET", "/bench/writer", close: true)
        XCTAssertEqual(codable.status, 200, codable.bodyText)
        XCTAssertEqual(writer.status, 200, writer.bodyText)
        XCTAssertEqual(codable.bodyText, writer.bodyText)
        XCTAssertTrue(writer.bodyText.hasPrefix(#"[{"id":1,"name":"Member 1","email":"member1@example.com","active":true}"#), writer.bodyText)
        XCTAssertEqual((try JSONSerialization.jsonObject(with: Data(writer.bodyText.utf8)) as? [Any])?.count, 20)
        XCTAssertEqual(s.unexpectedErrorLines(), [])
    }
}
