import Foundation
import XCTest
import TestSupport
@testable import AppCore
@testable import PaddockSQL

/// Fifty clients register the same e-mail at once, each through its own
/// application and connection (as fifty workers would): exactly one wins,
/// every other gets 409, never a 500.
final class PostgresConcurrencyTests: XCTestCase {
    func testConcurrentRegistrationsOfOneEmail() throws {
        let cluster = try PostgresCluster()
        defer { cluster.destroy() }
        try cluster.start()
        let url = cluster.url
        // Create the schema once, before the race.
        let (logger, logPath) = try makeTestLogger()
        defer { try? FileManager.default.removeItem(atPath: logPath) }
        try AppCommands.migrate(configuration: testConfiguration(databaseURL: url), logger: logger)

        let clients = 50
        let apps = try (0..<clients).map { _ in
            let app = try UsersApplication(configuration: testConfiguration(databaseURL: url, autoMigrate: .off), logger: logger)
            try app.start()
            return app
        }
        let statuses = StatusBox(count: clients)
        let body = jsonBody(["email": "race@example.com", "name": "Racer", "password": "password123"])
        let group = DispatchGroup()
        let gate = DispatchSemaphore(value: 0)
        for (i, app) in apps.enumerated() {
            let box = UncheckedBox(app)
            group.enter()
            Thread.detachNewThread {
                gate.wait()
                statuses.set(i, box.value.send("POST", "/auth/register", json: body).status)
                group.leave()
            }
        }
        for _ in 0..<clients { gate.signal() }
        XCTAssertEqual(group.wait(timeout: .now() + 60), .success)
        let result = statuses.values
        XCTAssertEqual(result.filter { $0 == 201 }.count, 1, "\(result)")
        XCTAssertEqual(result.filter { $0 == 409 }.count, clients - 1, "\(result)")
        XCTAssertEqual(apps[0].send("GET", "/api/users")["total"]?.testInt, 1)
    }
}

/// Results written by many threads.
private final class StatusBox: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Int]
    init(count: Int) { storage = Array(repeating: 0, count: count) }
    func set(_ i: Int, _ v: Int) { lock.lock(); storage[i] = v; lock.unlock() }
    var values: [Int] { lock.lock(); defer { lock.unlock() }; return storage }
}

/// Hands one application to exactly one thread (it is never shared).
private final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
