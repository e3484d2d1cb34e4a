import Foundation
import TestSupport
import XCTest

/// `paddock_requests_total` on the admin listener is labelled by the route
/// template the application's router matched, in `paddock` and in an
/// application built on the library alone; a path no route matches is
/// `other`, never the path itself.
final class RouteMetricsTests: XCTestCase {
    /// The count of each `route` label, every status together.
    func routeCounts(_ adminSocket: String) throws -> [String: Int] {
        let metrics = try HTTPTestClient(unixPath: adminSocket).request("GET", "/metrics")
        XCTAssertEqual(metrics.status, 200)
        var counts: [String: Int] = [:]
        for line in metrics.bodyText.split(separator: "\n") where line.hasPrefix("paddock_requests_total{route=\"") {
            let label = line.dropFirst("paddock_requests_total{route=\"".count).prefix { $0 != "\"" }
            counts[String(label), default: 0] += Int(line.split(separator: " ").last ?? "") ?? 0
        }
        return counts
    }

    func serve(_ arguments: [String], binary: String, directory dir: String, paths: [String],
               allowing allowed: [String] = []) throws -> [String: Int] {
        let admin = dir + "/admin.sock"
        let s = try ServerProcess(arguments: arguments + ["--workers", "2", "--boot-timeout", "60", "--admin-bind", "unix:" + admin],
                                  directory: dir, binary: binary)
        addTeardownBlock { s.stop() }
        try s.waitReady(timeout: 60)
        for path in paths {
            _ = try HTTPTestClient(port: s.port, timeout: 10).request("GET", path, close: true)
        }
        let counts = try routeCounts(admin)
        XCTAssertEqual(s.unexpectedErrorLines(allowing: allowed), [])
        return counts
    }

    func testPaddockLabelsRequestsByItsRouteTemplates() throws {
        let dir = try ServerProcess.makeTemporaryDirectory()
        let db = ["--database-url", "sqlite:///app.db", "--password-scrypt-n", "1024"]
        let migrate = try ServerProcess.run(["migrate"] + db, directory: dir)
        XCTAssertEqual(migrate.status, .exited(0), migrate.stderr)
        let seed = try ServerProcess.run(["seed", "--users", "8", "--posts-per-user", "1"] + db, directory: dir)
        XCTAssertEqual(seed.status, .exited(0), seed.stderr)
        let counts = try serve(db, binary: ServerProcess.paddockBinary, directory: dir,
                               paths: ["/api/users/5", "/api/users/7", "/api/users/5/posts", "/no/such/page", "/health"],
                               allowing: ["jwt_secret_key is not set"])
        XCTAssertEqual(counts["/api/users/{id}"], 2, "\(counts)")
        XCTAssertEqual(counts["/api/users/{id}/posts"], 1, "\(counts)")
        XCTAssertEqual(counts["other"], 1, "\(counts)")
        XCTAssertEqual(counts["health"], 1, "\(counts)")
        XCTAssertEqual(counts.keys.filter { $0.contains("/no/such") || $0.contains("/5") }, [], "raw paths are never labels")
    }

    func testALibraryApplicationLabelsRequestsByItsOwnTemplates() throws {
        let dir = try ServerProcess.makeTemporaryDirectory()
        let counts = try serve([], binary: ServerProcess.exampleAppBinary, directory: dir,
                               paths: ["/hello/ada", "/hello/bob", "/items/5", "/items/x", "/nowhere"])
        XCTAssertEqual(counts["/hello/{name}"], 2, "\(counts)")
        XCTAssertEqual(counts["/items/{id}"], 1, "\(counts)")
        XCTAssertEqual(counts["other"], 2, "a parameter that does not match is no route either: \(counts)")
    }
}
