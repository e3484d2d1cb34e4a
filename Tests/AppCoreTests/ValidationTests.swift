import XCTest
@testable import AppCore
@testable import PaddockSQL

final class ValidationTests: XCTestCase {
    func testEmail() {
        for good in ["a@b.co", "first.last+tag@sub.example.org", "x@xn--bcher-kva.example"] {
            XCTAssertTrue(Validation.isValidEmail(good), good)
        }
        for bad in ["", "a", "a@", "@b.co", "a@b", "a@@b.co", "a b@c.de", "a@b..co", "a@.b.co", "a@b.co.", "a@-b.co",
                    String(repeating: "a", count: 65) + "@b.co", "a@" + String(repeating: "b", count: 252) + ".co"] {
            XCTAssertFalse(Validation.isValidEmail(bad), bad)
        }
        XCTAssertEqual(try Validation.email("  Ann@Example.COM "), "ann@example.com")
    }

    func testLengthsCountCodePoints() throws {
        XCTAssertEqual(try Validation.name(" Ann "), "Ann")
        XCTAssertNoThrow(try Validation.name(String(repeating: "ü", count: 100)))
        XCTAssertThrowsError(try Validation.name(String(repeating: "ü", count: 101)))
        // "e" + combining acute: one Character, two code points (two in PostgreSQL's VARCHAR).
        XCTAssertThrowsError(try Validation.name(String(repeating: "e\u{301}", count: 51)))
        XCTAssertNoThrow(try Validation.title(String(repeating: "t", count: 200)))
        XCTAssertThrowsError(try Validation.title(String(repeating: "t", count: 201)))
        XCTAssertThrowsError(try Validation.password("1234567"))
        XCTAssertNoThrow(try Validation.password("12345678"))
        XCTAssertEqual(try Validation.content("  text  "), "  text  ")
        XCTAssertThrowsError(try Validation.content(" \n\t"))
    }

    func testPaginationArithmetic() {
        XCTAssertEqual(Pagination(page: 1, perPage: 20).pages(total: 0), 0)
        XCTAssertEqual(Pagination(page: 1, perPage: 20).pages(total: 20), 1)
        XCTAssertEqual(Pagination(page: 1, perPage: 20).pages(total: 21), 2)
        XCTAssertEqual(Pagination(page: 3, perPage: 20).offset, 40)
        XCTAssertNil(Pagination(page: Int.max, perPage: 100).offset)
    }
}
