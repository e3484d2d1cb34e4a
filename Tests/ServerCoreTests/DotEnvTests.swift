import XCTest
@testable import ServerCore

/// `.env` files as python-dotenv 1.2 reads them. The expected values were
/// produced by python-dotenv itself (`DotEnv(path, interpolate=True,
/// override=False).dict()`, as `load_dotenv()` resolves variables) from the
/// same text, with REAL and HOME_X set in the environment.
final class DotEnvTests: XCTestCase {
    static let fixture = #"""
# Flask's .env, with the cases python-dotenv's parser distinguishes
export DATABASE_URL=postgresql+psycopg2://app:s3cret@db:5432/app
PORT = 8080   # trailing comment
SINGLE='literal ${PORT} \n \' q \\'
DOUBLE="tab\there \"quoted\" ${PORT} ${MISSING:-fallback} ${HOME_X} \$ \\"
UNQUOTED=a#b c # comment
MULTI="line one
line two"
SQ_MULTI='x
y'
EMPTY=
EMPTY_COMMENT= # nothing
HASH_VALUE=#novalue
NOVALUE
BAD LINE here
export  SPACED = value with spaces  
'QKEY'=qv
DOLLAR=$PORT and ${PORT}
REAL=from file
FROM_REAL=${REAL}
COLON=${PORT:x}
AFTER="quoted" # c
TRAIL="quoted"junk
ESC="a\\b\\c\q"
REPEATED=first
REPEATED=second ${REPEATED}
UNCLOSED="never closed
"""#

    func testMatchesPythonDotenvOnEveryCase() {
        let parsed = DotEnv(text: Self.fixture, path: ".env", environment: ["REAL": "from env", "HOME_X": "/home/x"])
        let expected: [(String, String)] = [
            ("DATABASE_URL", "postgresql+psycopg2://app:s3cret@db:5432/app"),
            ("PORT", "8080"),
            ("SINGLE", "literal 8080 \\n ' q \\"),
            ("DOUBLE", "tab\there \"quoted\" 8080 fallback /home/x \\$ \\"),
            ("UNQUOTED", "a#b c"),
            ("MULTI", "line one\nline two"),
            ("SQ_MULTI", "x\ny"),
            ("EMPTY", ""),
            ("EMPTY_COMMENT", ""),
            ("HASH_VALUE", "#novalue"),
            ("SPACED", "value with spaces"),
            ("QKEY", "qv"),
            ("DOLLAR", "$PORT and 8080"),
            ("REAL", "from file"),
            ("FROM_REAL", "from env"),
            ("COLON", "${PORT:x}"),
            ("AFTER", "quoted"),
            ("ESC", "a\\b\\c\\q"),
            ("REPEATED", "second first"),
        ]
        XCTAssertEqual(parsed.entries.map(\.key).sorted(), expected.map(\.0).sorted())
        for (key, value) in expected {
            XCTAssertEqual(parsed.entry(key)?.value, value, key)
        }
        // A key without "=" sets nothing, as in python-dotenv.
        XCTAssertNil(parsed.entry("NOVALUE"))
        XCTAssertEqual(parsed.warnings, [".env:15: cannot parse this line; it is skipped",
                                         ".env:23: cannot parse this line; it is skipped",
                                         ".env:27: cannot parse this line; it is skipped"])
    }

    func testLineNumbersPointAtTheBinding() {
        let parsed = DotEnv(text: Self.fixture, path: ".env", environment: [:])
        XCTAssertEqual(parsed.entry("DATABASE_URL")?.line, 2)
        XCTAssertEqual(parsed.entry("SQ_MULTI")?.line, 9)
        XCTAssertEqual(parsed.entry("EMPTY")?.line, 11, "a multi-line value counts its lines")
        XCTAssertEqual(parsed.entry("REPEATED")?.line, 26, "the last binding wins, with its line")
    }

    func testCarriageReturnsAreNewlines() {
        // python-dotenv on "A=1\r\nB=\"x\r\ny\"\r\nC=${A}2\r\n": {"A": "1", "B": "x\ny", "C": "12"}
        let parsed = DotEnv(text: "A=1\r\nB=\"x\r\ny\"\r\nC=${A}2\r\n", path: ".env", environment: [:])
        XCTAssertEqual(parsed.entries.map(\.value), ["1", "x\ny", "12"])
        XCTAssertEqual(parsed.entry("C")?.line, 4)
    }

    func testTheRealEnvironmentWinsInExpansion() {
        let parsed = DotEnv(text: "HOST=file\nURL=http://${HOST}/\n", path: ".env", environment: ["HOST": "real"])
        XCTAssertEqual(parsed.entry("URL")?.value, "http://real/")
    }
}
