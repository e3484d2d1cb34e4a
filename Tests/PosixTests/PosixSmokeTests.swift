import XCTest
@testable import Posix

final class PosixSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
