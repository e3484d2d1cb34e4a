import Paddock
import XCTest

/// `Codable` in and out through the built-in JSON writer and parser.
final class JSONCodingTests: XCTestCase {
    struct Note: Codable, Equatable {
        var id: Int
        var title: String
        var tags: [String]
        var score: Double?
        var done: Bool
        var author: Author
    }

    struct Author: Codable, Equatable {
        var name: String
    }

    let note = Note(id: 7, title: "a \"quoted\"\nline", tags: ["x", "y"], score: nil, done: true, author: Author(name: "Ada"))

    func testEncodesInDeclarationOrderWithEscapes() throws {
        let text = String(decoding: try JSONCoding.encode(note), as: UTF8.self)
        XCTAssertEqual(text, #"{"id":7,"title":"a \"quoted\"\nline","tags":["x","y"],"done":true,"author":{"name":"Ada"}}"#)
    }

    func testRoundTripsThroughTheParser() throws {
        var scored = note
        scored.score = 2.5
        XCTAssertEqual(try JSONCoding.decode(Note.self, from: try JSONCoding.encode(scored)), scored)
        XCTAssertEqual(try JSONCoding.decode(Note.self, from: try JSONCoding.encode(note)), note)
    }

    func testWrongShapesAreDecodingErrors() {
        let missing = Array(#"{"id":1,"tags":[],"done":false,"author":{"name":"x"}}"#.utf8)
        XCTAssertThrowsError(try JSONCoding.decode(Note.self, from: missing)) { error in
            guard case DecodingError.keyNotFound(let key, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(key.stringValue, "title")
        }
        let fraction = Array(#"{"id":1.5,"title":"","tags":[],"done":false,"author":{"name":"x"}}"#.utf8)
        XCTAssertThrowsError(try JSONCoding.decode(Note.self, from: fraction))
        XCTAssertThrowsError(try JSONCoding.decode(Note.self, from: Array("{".utf8))) { error in
            XCTAssertTrue(error is JSONParseError, "\(error)")
        }
    }

    func testRequestAndResponseHelpers() throws {
        let request = HTTPRequest(method: "POST", target: "/notes?limit=5&x=y", body: try JSONCoding.encode(note))
        XCTAssertEqual(request.queryInt("limit"), 5)
        XCTAssertNil(request.queryInt("x"))
        XCTAssertEqual(try request.decodeBody(Note.self), note)
        let response = try HTTPResponse.json(201, encoding: note.author)
        XCTAssertEqual(response.status, 201)
        XCTAssertEqual(response.headers["Content-Type"], "application/json")
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), #"{"name":"Ada"}"#)
        let written = HTTPResponse.json(200) { w in
            w.beginObject()
            w.field("ok", true)
            w.endObject()
        }
        XCTAssertEqual(String(decoding: written.body, as: UTF8.self), #"{"ok":true}"#)
    }
}
