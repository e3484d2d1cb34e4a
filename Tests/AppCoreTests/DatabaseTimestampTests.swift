import XCTest
@testable import AppCore
@testable import PaddockSQL

final class DatabaseTimestampTests: XCTestCase {
    func testAPIFormatMatchesPythonIsoformat() {
        let cases: [(String, String)] = [
            ("2024-01-01T00:01:00.000000+00:00", "2024-01-01T00:01:00+00:00"),
            ("2024-01-01T00:01:00.123456+00:00", "2024-01-01T00:01:00.123456+00:00"),
            ("2024-01-01 00:01:00+00", "2024-01-01T00:01:00+00:00"),           // PostgreSQL text output
            ("2024-01-01 00:01:00.12+00", "2024-01-01T00:01:00.120000+00:00"), // PostgreSQL trims zeros
            ("2024-01-01 00:01:00.123456", "2024-01-01T00:01:00.123456+00:00"), // SQLAlchemy on SQLite (naive UTC)
            ("2024-01-01 00:01:00", "2024-01-01T00:01:00+00:00"),
            ("2024-01-01T00:01:00Z", "2024-01-01T00:01:00+00:00"),
            ("2024-01-01 05:31:00+05:30", "2024-01-01T05:31:00+05:30"),
            ("garbage", "garbage"),
        ]
        for (stored, api) in cases { XCTAssertEqual(DatabaseTimestamp.apiFormat(stored), api, stored) }
    }

    func testStoredFormIsFixedWidth() {
        XCTAssertEqual(DatabaseTimestamp.format(seconds: 1_704_067_260, microseconds: 5), "2024-01-01 00:01:00.000005+00:00")
        let now = DatabaseTimestamp.now()
        XCTAssertEqual(now.count, "2024-01-01 00:01:00.000000+00:00".count, now)
    }
}
