import XCTest
@testable import AppCore
@testable import PaddockSQL

/// Ids from paths and token subjects: only what can name a row in a 32-bit
/// SERIAL column, and one text per id.
final class RecordIDTests: XCTestCase {
    func testSubjectMustBeCanonicalDecimalInRange() {
        XCTAssertEqual(RecordID.parse("1"), 1)
        XCTAssertEqual(RecordID.parse("42"), 42)
        XCTAssertEqual(RecordID.parse("2147483647"), 2_147_483_647)
        for text in ["", "0", "01", "+1", "-1", " 1", "1 ", "1.0", "1e3", "0x1", "١", "2147483648", "99999999999",
                     "9223372036854775808", "18446744073709551616"] {
            XCTAssertNil(RecordID.parse(text), text)
        }
        XCTAssertFalse(RecordID.isValid(0))
        XCTAssertFalse(RecordID.isValid(2_147_483_648))
        XCTAssertTrue(RecordID.isValid(2_147_483_647))
    }
}
