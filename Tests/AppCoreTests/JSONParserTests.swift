import XCTest
import ServerCore

final class JSONParserTests: XCTestCase {
    private func parse(_ text: String) throws -> JSONValue { try JSONValue.parse(Array(text.utf8)) }

    private func assertRejected(_ text: String, message: String? = nil, offset: Int? = nil,
                                file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try JSONValue.parse(Array(text.utf8)), "accepted \(text.debugDescription)",
                             file: file, line: line) { error in
            guard let error = error as? JSONParseError else { return XCTFail("wrong error type", file: file, line: line) }
            if let message { XCTAssertEqual(error.message, message, file: file, line: line) }
            if let offset { XCTAssertEqual(error.offset, offset, file: file, line: line) }
        }
    }

    func testScalarsAndWhitespace() throws {
        XCTAssertEqual(try parse("null"), .null)
        XCTAssertEqual(try parse(" \t\r\ntrue \n"), .bool(true))
        XCTAssertEqual(try parse("false"), .bool(false))
        XCTAssertEqual(try parse("\"\""), .string(""))
        XCTAssertEqual(try parse("0"), .number(0))
        XCTAssertEqual(try parse("-12.5e2"), .number(-1250))
        XCTAssertEqual(try parse("1E-3"), .number(0.001))
        XCTAssertEqual(try parse("2e+2"), .number(200))
        XCTAssertTrue(try parse("null").isNull)
        XCTAssertFalse(try parse("0").isNull)
    }

    func testNestedDocumentAndAccessors() throws {
        let doc = try parse(#"{"email":"a@b.c","n":[1,2,{"x":null}],"o":{},"e":[]}"#)
        XCTAssertEqual(doc["email"]?.stringValue, "a@b.c")
        XCTAssertEqual(doc["n"], .array([.number(1), .number(2), .object(["x": .null])]))
        XCTAssertEqual(doc["o"], .object([:]))
        XCTAssertEqual(doc["e"], .array([]))
        XCTAssertNil(doc["missing"])
        XCTAssertNil(doc["n"]?["x"], "subscript on an array is nil")
        XCTAssertNil(doc["n"]?.stringValue)
    }

    func testDuplicateKeysLastWins() throws {
        XCTAssertEqual(try parse(#"{"a":1,"a":2}"#)["a"], .number(2))
    }

    func testStringEscapes() throws {
        XCTAssertEqual(try parse(#""\"\\\/\b\f\n\r\t""#).stringValue, "\"\\/\u{08}\u{0C}\n\r\t")
        XCTAssertEqual(try parse(#""caf\u00e9 \u00E9 \u0000""#).stringValue, "café é \u{0}")
        XCTAssertEqual(try parse(#""pre\u4e2dpost""#).stringValue, "pre中post")
        XCTAssertEqual(try parse("\"raw ü 中 😀\"").stringValue, "raw ü 中 😀")
    }

    func testSurrogatePairsAndLoneSurrogates() throws {
        XCTAssertEqual(try parse(#""\ud83d\ude00""#).stringValue, "😀")
        XCTAssertEqual(try parse(#""\uD834\uDD1E""#).stringValue, "𝄞")
        XCTAssertEqual(try parse(#""\ud800""#).stringValue, "\u{FFFD}")
        XCTAssertEqual(try parse(#""\udc00x""#).stringValue, "\u{FFFD}x")
        XCTAssertEqual(try parse(#""\ud800\u0041""#).stringValue, "\u{FFFD}A")
        XCTAssertEqual(try parse(#""\ud800\ud83d\ude00""#).stringValue, "\u{FFFD}😀")
        XCTAssertEqual(try parse(#""\ud800\n""#).stringValue, "\u{FFFD}\n")
    }

    func testNumbers() throws {
        XCTAssertEqual(try parse("-0"), .number(-0.0))
        XCTAssertEqual(try parse("123456789012345"), .number(123456789012345))
        XCTAssertEqual(try parse("12345678901234567890"), .number(12345678901234567168))  // the nearest Double
        XCTAssertEqual(try parse("1.7976931348623157e308"), .number(Double.greatestFiniteMagnitude))
        XCTAssertEqual(try parse("1e-400"), .number(0))
        XCTAssertEqual(try parse("[1795543545]"), .array([.number(1795543545)]))
        assertRejected("1e400", message: "number out of range", offset: 0)
        assertRejected("-1e400")
    }

    func testInvalidNumbers() {
        assertRejected("01", message: "leading zeros are not allowed", offset: 1)
        assertRejected("-01")
        for bad in ["+1", ".5", "1.", "1.e3", "1e", "1e+", "-", "--1", "NaN", "Infinity", "-Infinity", "0x10", "1 2"] {
            assertRejected(bad)
        }
    }

    func testInvalidDocuments() {
        assertRejected("", message: "unexpected end of input", offset: 0)
        assertRejected("   ")
        assertRejected("{} x", message: "unexpected characters after the value", offset: 3)
        assertRejected("\u{FEFF}{}")
        for bad in ["[1,]", "[,1]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{'a':1}", "[1 2]", "{\"a\":1",
                    "[", "]", "tru", "nul", "True", "\"abc", "[\"a\"", "{\"a\"}", "{1:2}", "//c\n1"] {
            assertRejected(bad)
        }
    }

    func testInvalidStrings() {
        assertRejected("\"a\u{01}b\"", message: "control character in string", offset: 2)
        assertRejected("\"tab\there\"")
        assertRejected("\"line\nbreak\"")
        assertRejected(#""\x41""#, message: "invalid escape", offset: 1)
        assertRejected(#""\u12""#)
        assertRejected(#""\u12G4""#)
        assertRejected(#""\'""#)
        XCTAssertThrowsError(try JSONValue.parse([0x22, 0xC3, 0x28, 0x22]), "invalid UTF-8")
        XCTAssertThrowsError(try JSONValue.parse([0x22, 0xED, 0xA0, 0x80, 0x22]), "UTF-8 encoded surrogate")
        XCTAssertThrowsError(try JSONValue.parse([0x22, 0xC0, 0xAF, 0x22]), "overlong UTF-8")
    }

    func testDepthLimit() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        XCTAssertNoThrow(try parse(ok))
        let objects = String(repeating: "{\"a\":", count: 63) + "[]" + String(repeating: "}", count: 63)
        XCTAssertNoThrow(try parse(objects))
        let tooDeep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        assertRejected(tooDeep, message: "nesting deeper than 64", offset: 64)
        // Far deeper input must fail cleanly rather than overflow the stack.
        assertRejected(String(repeating: "[", count: 100_000))
    }
}
