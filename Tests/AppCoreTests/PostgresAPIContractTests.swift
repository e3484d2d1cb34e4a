import Foundation
import XCTest
import TestSupport

/// The whole API contract again, on a real PostgreSQL: every test of
/// `APIContractTests` runs here too, each on a fresh database of one
/// throwaway cluster shared by the class.
final class PostgresAPIContractTests: APIContractTests {
    // XCTest runs one class's tests one after another on one thread; the
    // cluster is created in class setUp and removed in class tearDown.
    nonisolated(unsafe) static var cluster: PostgresCluster?
    nonisolated(unsafe) static var setupError: Error?
    nonisolated(unsafe) static var databases = 0

    override class func setUp() {
        super.setUp()
        do {
            let c = try PostgresCluster()
            try c.start()
            cluster = c
        } catch {
            setupError = error
        }
    }

    override class func tearDown() {
        cluster?.destroy()
        cluster = nil
        super.tearDown()
    }

    override func databaseURL() throws -> String {
        if let e = Self.setupError { throw e }
        guard let cluster = Self.cluster else { throw PostgresClusterError(description: "no cluster") }
        Self.databases += 1
        let name = "api_\(Self.databases)"
        try cluster.createDatabase(name)
        return cluster.url(database: name)
    }
}
