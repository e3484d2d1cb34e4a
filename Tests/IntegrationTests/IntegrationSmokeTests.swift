import XCTest
@testable import ServerCore

final class IntegrationSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
