import XCTest
@testable import Worker

final class WorkerSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
