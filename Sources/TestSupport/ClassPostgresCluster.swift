/// One throwaway PostgreSQL cluster shared by the tests of one class, with a
/// fresh database for each test. XCTest runs a class's tests one after
/// another on one thread: `start()` belongs in the class `setUp`, `destroy()`
/// in the class `tearDown`. A cluster that failed to start fails each test
/// with the reason, rather than the class setUp.
public final class ClassPostgresCluster: @unchecked Sendable {
    private var cluster: PostgresCluster?
    private var setupError: Error?
    private var databases = 0
    private let prefix: String

    /// - Parameter prefix: names the databases (`prefix_1`, `prefix_2`, ...).
    public init(databasePrefix prefix: String) { self.prefix = prefix }

    public func start() {
        do {
            let c = try PostgresCluster()
            try c.start()
            cluster = c
        } catch {
            setupError = error
        }
    }

    public func destroy() {
        cluster?.destroy()
        cluster = nil
    }

    /// The URL of a new, empty database.
    public func freshDatabaseURL() throws -> String {
        if let setupError { throw setupError }
        guard let cluster else { throw PostgresClusterError(description: "no cluster") }
        databases += 1
        let name = "\(prefix)_\(databases)"
        try cluster.createDatabase(name)
        return cluster.url(database: name)
    }
}
