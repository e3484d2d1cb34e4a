import Foundation
import XCTest
import ServerCore
@testable import AppCore
@testable import PaddockSQL

/// A response as tests look at it.
struct TestResponse {
    let status: Int
    let headers: HTTPHeaders
    let body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as JSON (fails the test when it is not JSON).
    var json: JSONValue {
        do { return try JSONValue.parse(body) } catch {
            XCTFail("response body is not JSON: \(text)")
            return .null
        }
    }

    subscript(key: String) -> JSONValue? { json[key] }
}

extension JSONValue {
    /// A whole number, for ids and counts.
    var testInt: Int? {
        if case .number(let d) = self, d == d.rounded() { return Int(d) }
        return nil
    }

    var testArray: [JSONValue] {
        if case .array(let a) = self { return a }
        return []
    }
}

/// JSON text for a flat object of strings, built with the server's own writer.
func jsonBody(_ fields: KeyValuePairs<String, String>) -> String {
    var w = JSONWriter()
    w.beginObject()
    for (k, v) in fields { w.field(k, v) }
    w.endObject()
    return w.string
}

/// A scratch log file per test, so tests can check what the application
/// logged; all of them in one directory removed when the test run ends.
func makeTestLogger() throws -> (Logger, String) {
    let path = TestLogDirectory.shared.path + "/\(UUID().uuidString).log"
    return (try Logger(path: path, level: .info, slot: 0), path)
}

/// The directory of the scratch logs, removed when the test bundle finishes.
final class TestLogDirectory: NSObject, XCTestObservation, @unchecked Sendable {
    static let shared = TestLogDirectory()
    let path = NSTemporaryDirectory() + "paddock-apptest-\(UUID().uuidString)"

    override private init() {
        super.init()
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            fatalError("cannot create \(path): \(error)")
        }
        XCTestObservationCenter.shared.addTestObserver(self)
    }

    func testBundleDidFinish(_ testBundle: Bundle) {
        do { try FileManager.default.removeItem(atPath: path) } catch { print("could not remove \(path): \(error)") }
    }
}

/// A configuration for tests: the given database, a fixed JWT key and a low
/// scrypt cost (the default costs ~64 ms per hash).
func testConfiguration(databaseURL: String, scryptN: Int = 1024, corsOrigins: [String] = [],
                       autoMigrate: AutoMigrate = .auto) -> Configuration {
    var c = Configuration.defaults()
    c.set(Settings.databaseURL.key, .string(databaseURL), from: .defaultValue)
    c.set(Settings.passwordScryptN.key, .int(scryptN), from: .defaultValue)
    c.set(Settings.jwtSecretKey.key, .string("test-secret-key"), from: .defaultValue)
    c.set(Settings.corsOrigins.key, .list(corsOrigins), from: .defaultValue)
    c.set(Settings.autoMigrate, autoMigrate, from: .defaultValue)
    c.set(Settings.dbConnectTimeout, .seconds(2), from: .defaultValue)
    return c
}

extension UsersApplication {
    /// Sends one request in process.
    func send(_ method: String, _ target: String, json: String? = nil, token: String? = nil,
              headers: [(String, String)] = []) -> TestResponse {
        var h = headers
        if json != nil { h.append(("Content-Type", "application/json")) }
        if let token { h.append(("Authorization", "Bearer \(token)")) }
        let response = handle(HTTPRequest(method: method, target: target, headers: h, body: Array((json ?? "").utf8)))
        return TestResponse(status: response.status, headers: response.headers, body: response.body)
    }
}
