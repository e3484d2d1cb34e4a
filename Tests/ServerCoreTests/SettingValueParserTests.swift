import XCTest
@testable import ServerCore

/// Parsing of each `SettingType`, over small specs declared here so bounds
/// and types can be tested without depending on the real table's numbers.
final class SettingValueParserTests: XCTestCase {
    private func spec(_ type: SettingType, min: Double? = nil, max: Double? = nil) -> SettingSpec {
        SettingSpec(key: "sample", type: type, default: .int(0), min: min, max: max, section: "Test",
                    reload: .live, summary: "A test setting.")
    }

    private func parse(_ text: String, _ type: SettingType, min: Double? = nil, max: Double? = nil) throws -> SettingValue {
        try SettingValueParser.parse(text, for: spec(type, min: min, max: max))
    }

    private func assertProblem(_ text: String, _ type: SettingType, min: Double? = nil, max: Double? = nil,
                               _ expected: ValueProblem, line: UInt = #line) {
        do {
            let value = try SettingValueParser.parse(text, for: spec(type, min: min, max: max))
            XCTFail("\(text) parsed as \(value)", line: line)
        } catch {
            XCTAssertEqual(error, expected, line: line)
        }
    }

    func testInt() throws {
        XCTAssertEqual(try parse("42", .int), .int(42))
        XCTAssertEqual(try parse("  7 ", .int), .int(7))
        XCTAssertEqual(try parse("-3", .int, min: -10), .int(-3))
        XCTAssertEqual(try parse("+3", .int), .int(3))
        for bad in ["abc", "1_000", "", "4.0", "0x10", "1e3", "--1", "99999999999999999999"] {
            assertProblem(bad, .int, .invalid(expected: "an integer"))
        }
        assertProblem("0", .int, min: 1, .belowMinimum("1"))
        assertProblem("-1", .int, min: 0, .belowMinimum("0"))
        assertProblem("2000", .int, max: 1024, .aboveMaximum("1024"))
    }

    func testBool() throws {
        for yes in ["true", "TRUE", "Yes", "on", "1"] { XCTAssertEqual(try parse(yes, .bool), .bool(true), yes) }
        for no in ["false", "No", "OFF", "0"] { XCTAssertEqual(try parse(no, .bool), .bool(false), no) }
        assertProblem("maybe", .bool, .invalid(expected: "a boolean (true/false, yes/no, on/off, 1/0)"))
        assertProblem("", .bool, .invalid(expected: "a boolean (true/false, yes/no, on/off, 1/0)"))
    }

    func testString() throws {
        XCTAssertEqual(try parse("  /var/run/paddock.pid  ", .string), .string("/var/run/paddock.pid"))
        XCTAssertEqual(try parse("a # not a comment", .string), .string("a # not a comment"))
        XCTAssertEqual(try parse(#"" padded ""#, .string), .string(" padded "))
        XCTAssertEqual(try parse(#""say \"hi\" \\ there""#, .string), .string(#"say "hi" \ there"#))
        XCTAssertEqual(try parse(#""""#, .string), .string(""))
        XCTAssertEqual(try parse(#"C:\path"#, .string), .string(#"C:\path"#), "backslashes outside quotes stay")
        XCTAssertEqual(try parse(#""unterminated"#, .string), .string(#""unterminated"#))
        assertProblem("two\nlines", .string, .invalid(expected: "a single line of text"))
    }

    func testStringList() throws {
        XCTAssertEqual(try parse("a, b ,c", .stringList), .list(["a", "b", "c"]))
        XCTAssertEqual(try parse("", .stringList), .list([]))
        XCTAssertEqual(try parse("a,", .stringList), .list(["a"]))
        XCTAssertEqual(try parse(#""x,y", z"#, .stringList), .list(["x,y", "z"]))
        XCTAssertEqual(try parse(#""""#, .stringList), .list([""]))
        XCTAssertEqual(try parse("[::1]:8000, unix:/run/p.sock", .stringList), .list(["[::1]:8000", "unix:/run/p.sock"]))
    }

    func testDuration() throws {
        XCTAssertEqual(try parse("30", .duration), .seconds(30))
        XCTAssertEqual(try parse("2.5", .duration), .seconds(2.5))
        XCTAssertEqual(try parse("500ms", .duration), .seconds(0.5))
        XCTAssertEqual(try parse("10s", .duration), .seconds(10))
        XCTAssertEqual(try parse("1m", .duration), .seconds(60))
        XCTAssertEqual(try parse("1.5h", .duration), .seconds(5400))
        XCTAssertEqual(try parse("2d", .duration), .seconds(172_800))
        XCTAssertEqual(try parse("250 MS", .duration), .seconds(0.25))
        let expected = ValueProblem.invalid(expected: "a duration such as 30, 2.5, 500ms, 30s, 1m, 1h or 1d")
        for bad in ["", "abc", "5x", "1.2.3", ".5", "5.", "-1", "1e3", "ms"] { assertProblem(bad, .duration, expected) }
        assertProblem("2h", .duration, max: 3600, .aboveMaximum("1h"))
        assertProblem("0.5ms", .duration, min: 0.001, .belowMinimum("0.001s"))
    }

    func testBytes() throws {
        XCTAssertEqual(try parse("512", .bytes), .int(512))
        XCTAssertEqual(try parse("64k", .bytes), .int(65536))
        XCTAssertEqual(try parse("64KB", .bytes), .int(65536))
        XCTAssertEqual(try parse("1m", .bytes), .int(1 << 20))
        XCTAssertEqual(try parse("1 MiB", .bytes), .int(1 << 20))
        XCTAssertEqual(try parse("2gib", .bytes), .int(2 << 30))
        XCTAssertEqual(try parse("3G", .bytes), .int(3 << 30))
        let expected = ValueProblem.invalid(expected: "a size in bytes such as 512, 64k, 1m or 2GiB")
        for bad in ["", "1.5m", "k", "10x", "-1", "99999999999t"] { assertProblem(bad, .bytes, expected) }
        assertProblem("2m", .bytes, max: 1_048_576, .aboveMaximum("1MiB"))
    }

    func testChoice() throws {
        let levels = SettingType.choice(["debug", "info", "warning"])
        XCTAssertEqual(try parse("info", levels), .string("info"))
        XCTAssertEqual(try parse(" WARNING ", levels), .string("warning"), "stored in the declared spelling")
        assertProblem("verbose", levels, .invalid(expected: "one of debug, info, warning"))
    }

    func testFormatterRoundTripsAwkwardValues() throws {
        for seconds in [0, 0.001, 0.00001, 2.5, 65, 90, 3600, 1e-7, 123456.789, 0.1 + 0.2] {
            let text = SettingFormatter.duration(seconds)
            XCTAssertEqual(try parse(text, .duration), .seconds(seconds), text)
        }
        XCTAssertEqual(SettingFormatter.plainDecimal(1e-05), "0.00001")
        XCTAssertEqual(SettingFormatter.plainDecimal(1.5e20), "150000000000000000000")
        for bytes in [0, 1, 1023, 1024, 1_048_576, 1_500_000, 1 << 40] {
            XCTAssertEqual(try parse(SettingFormatter.bytes(bytes), .bytes), .int(bytes))
        }
        for item in ["", " x ", "a,b", #"q"uote"#, #"back\slash"#, "#hash"] {
            let text = SettingFormatter.quoteIfNeeded(item, forList: true)
            XCTAssertEqual(try parse(text, .stringList), .list([item]), text)
            XCTAssertEqual(try parse(SettingFormatter.quoteIfNeeded(item, forList: false), .string), .string(item))
        }
    }
}
