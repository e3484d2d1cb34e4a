import XCTest
@testable import ServerCore

final class ServerCoreSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
