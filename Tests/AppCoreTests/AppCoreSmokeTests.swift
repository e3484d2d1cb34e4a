import XCTest
@testable import AppCore

final class AppCoreSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
