import XCTest
@testable import Master

final class MasterSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
