import XCTest
@testable import AppCore
@testable import PaddockSQL

/// Stored timestamps read back as instants (an account's creation decides
/// which tokens are older than it).
final class DatabaseTimestampParsingTests: XCTestCase {
    func testEveryStoredFormReadsAsTheSameInstant() {
        let us = 1_704_067_260 * 1_000_000 + 123_456 // 2024-01-01 00:01:00.123456 UTC
        for text in ["2024-01-01 00:01:00.123456+00:00", // Paddock
                     "2024-01-01 00:01:00.123456+00",    // PostgreSQL
                     "2024-01-01 00:01:00.123456",       // SQLAlchemy on SQLite, naive UTC
                     "2024-01-01T00:01:00.123456Z",
                     "2024-01-01T02:01:00.123456+02:00",
                     "2024-01-01T02:01:00.123456+0200",
                     "2023-12-31 23:31:00.123456-00:30",
                     "2024-01-01 00:01:00.1234567+00"] {
            XCTAssertEqual(DatabaseTimestamp.microseconds(text), us, text)
        }
        XCTAssertEqual(DatabaseTimestamp.microseconds("2024-01-01 00:01:00+00"), 1_704_067_260 * 1_000_000)
        XCTAssertEqual(DatabaseTimestamp.microseconds("2024-01-01 00:01:00.5"), 1_704_067_260 * 1_000_000 + 500_000)
        XCTAssertEqual(DatabaseTimestamp.microseconds("1970-01-01 00:00:00"), 0)
        XCTAssertEqual(DatabaseTimestamp.microseconds("2000-02-29 00:00:00"), 951_782_400 * 1_000_000)
    }

    func testRoundTripWithTheStoredFormat() {
        for seconds: Int64 in [0, 951_782_400, 1_704_067_260, 1_796_000_000, 4_102_444_800] {
            let text = DatabaseTimestamp.format(seconds: seconds, microseconds: 987_654)
            XCTAssertEqual(DatabaseTimestamp.microseconds(text), Int(seconds) * 1_000_000 + 987_654, text)
        }
    }

    func testUnreadableTextIsNil() {
        for text in ["", "yesterday", "2024-01-01", "2024-13-01 00:00:00", "2024-01-01 24:00:00", "2024-01-01 00:00:00.",
                     "2024-01-01 00:00:00 UTC", "2024-01-01 00:00:00+1", "2024/01/01 00:00:00", "2024-01-01 00:00:00+00:00x"] {
            XCTAssertNil(DatabaseTimestamp.microseconds(text), text)
        }
    }
}
