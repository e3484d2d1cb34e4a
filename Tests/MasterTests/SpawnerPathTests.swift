@testable import Master
import Foundation
import XCTest

/// What workers run: the master's own executable, or `worker_binary` when set.
final class SpawnerPathTests: XCTestCase {
    func testWorkersRunTheMastersExecutableUnlessOverridden() {
        XCTAssertEqual(Spawner.workerExecutable(setting: "", executablePath: "/opt/app/bin/greeter"), "/opt/app/bin/greeter")
        XCTAssertEqual(Spawner.workerExecutable(setting: "/usr/local/bin/wrapper", executablePath: "/opt/app/bin/greeter"),
                       "/usr/local/bin/wrapper")
    }

    func testOwnExecutableIsThisProcessesFile() throws {
        let path = try Spawner.ownExecutable()
        XCTAssertTrue(path.hasPrefix("/"), path)
        XCTAssertFalse(path.hasSuffix(" (deleted)"), path)
        XCTAssertEqual(path, try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
    }
}
