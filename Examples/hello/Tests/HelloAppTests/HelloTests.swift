import Foundation
import HelloApp
import Paddock
import XCTest

/// The application in process, on a SQLite file of its own.
final class HelloTests: XCTestCase {
    var directory = ""
    var app: Hello!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "hello-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var configuration = Configuration.defaults()
        configuration.set("database_url", .string("sqlite:///\(directory)/hello.db"), from: .defaultValue)
        configuration.set(Hello.greeting, "Howdy", from: .defaultValue)
        app = try Hello(ApplicationContext(configuration: configuration, logger: .standardError(), slot: 0))
        try app.start()
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func send(_ method: String, _ target: String, _ body: String = "") -> HTTPResponse {
        app.handle(HTTPRequest(method: method, target: target, body: Array(body.utf8)))
    }

    func text(_ r: HTTPResponse) -> String { String(decoding: r.body, as: UTF8.self) }

    func testGreetsWithTheSetting() {
        XCTAssertEqual(text(send("GET", "/hello/Ada")), #"{"message":"Howdy, Ada!"}"#)
    }

    func testNotesAreStoredAndRead() throws {
        let created = send("POST", "/notes", #"{"text":"buy milk"}"#)
        XCTAssertEqual(created.status, 201)
        let note = try JSONCoding.decode(Note.self, from: created.body)
        XCTAssertEqual(note.text, "buy milk")
        XCTAssertEqual(try JSONCoding.decode(Note.self, from: send("GET", "/notes/\(note.id)").body), note)
        XCTAssertEqual(try JSONCoding.decode([Note].self, from: send("GET", "/notes").body), [note])
        XCTAssertEqual(send("GET", "/notes/999").status, 404)
    }

    func testBadInputAndWrongMethods() {
        XCTAssertEqual(send("POST", "/notes", #"{"txt":"x"}"#).status, 400)
        XCTAssertEqual(send("POST", "/notes", "not json").status, 400)
        let wrong = send("DELETE", "/notes")
        XCTAssertEqual(wrong.status, 405)
        XCTAssertEqual(wrong.headers["Allow"], "GET, POST, HEAD, OPTIONS")
    }

    func testMigratingAgainDoesNothing() throws {
        try app.start()
        XCTAssertEqual(send("POST", "/notes", #"{"text":"still works"}"#).status, 201)
    }
}
