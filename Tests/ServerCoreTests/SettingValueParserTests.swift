import XCTest
@testable import ServerCore

/// Parsing of each value type, through settings declared here so bounds
/// and types can be tested without depending on the real table's numbers.
final class SettingValueParserTests: XCTestCase {
    private func bounded<V: SettingValueType & Comparable>(_ text: String, _ defaultValue: V,
                                                           min: V? = nil, max: V? = nil) throws(ValueProblem) -> V {
        try Setting<V>(key: "sample", default: defaultValue, min: min, max: max, section: "Test",
                       reload: .live, summary: "A test setting.").parse(text)
    }

    private func plain<V: SettingValueType>(_ text: String, _ defaultValue: V) throws(ValueProblem) -> V {
        try Setting<V>(key: "sample", default: defaultValue, section: "Test", reload: .live, summary: "A test setting.").parse(text)
    }

    private func assertProblem(_ expected: ValueProblem, line: UInt = #line, _ parse: () throws(ValueProblem) -> some Any) {
        do {
            let value = try parse()
            XCTFail("parsed as \(value)", line: line)
        } catch {
            XCTAssertEqual(error, expected, line: line)
        }
    }

    func testInt() throws {
        XCTAssertEqual(try bounded("42", 0), 42)
        XCTAssertEqual(try bounded("  7 ", 0), 7)
        XCTAssertEqual(try bounded("-3", 0, min: -10), -3)
        XCTAssertEqual(try bounded("+3", 0), 3)
        for bad in ["abc", "1_000", "", "4.0", "0x10", "1e3", "--1", "99999999999999999999"] {
            assertProblem(.invalid(expected: "an integer")) { () throws(ValueProblem) in try bounded(bad, 0) }
        }
        assertProblem(.belowMinimum("1")) { () throws(ValueProblem) in try bounded("0", 5, min: 1) }
        assertProblem(.belowMinimum("0")) { () throws(ValueProblem) in try bounded("-1", 5, min: 0) }
        assertProblem(.aboveMaximum("1024")) { () throws(ValueProblem) in try bounded("2000", 5, max: 1024) }
    }

    func testBool() throws {
        for yes in ["true", "TRUE", "Yes", "on", "1"] { XCTAssertEqual(try plain(yes, false), true, yes) }
        for no in ["false", "No", "OFF", "0"] { XCTAssertEqual(try plain(no, true), false, no) }
        for bad in ["maybe", ""] {
            assertProblem(.invalid(expected: "a boolean (true/false, yes/no, on/off, 1/0)")) { () throws(ValueProblem) in try plain(bad, false) }
        }
    }

    func testString() throws {
        XCTAssertEqual(try plain("  /var/run/paddock.pid  ", ""), "/var/run/paddock.pid")
        XCTAssertEqual(try plain("a # not a comment", ""), "a # not a comment")
        XCTAssertEqual(try plain(#"" padded ""#, ""), " padded ")
        XCTAssertEqual(try plain(#""say \"hi\" \\ there""#, ""), #"say "hi" \ there"#)
        XCTAssertEqual(try plain(#""""#, "x"), "")
        XCTAssertEqual(try plain(#"C:\path"#, ""), #"C:\path"#, "backslashes outside quotes stay")
        XCTAssertEqual(try plain(#""unterminated"#, ""), #""unterminated"#)
        assertProblem(.invalid(expected: "a single line of text")) { () throws(ValueProblem) in try plain("two\nlines", "") }
    }

    func testStringList() throws {
        let none: [String] = []
        XCTAssertEqual(try plain("a, b ,c", none), ["a", "b", "c"])
        XCTAssertEqual(try plain("", ["x"]), [])
        XCTAssertEqual(try plain("a,", none), ["a"])
        XCTAssertEqual(try plain(#""x,y", z"#, none), ["x,y", "z"])
        XCTAssertEqual(try plain(#""""#, none), [""])
        XCTAssertEqual(try plain("[::1]:8000, unix:/run/p.sock", none), ["[::1]:8000", "unix:/run/p.sock"])
    }

    func testDuration() throws {
        XCTAssertEqual(try bounded("30", Duration.zero), .seconds(30))
        XCTAssertEqual(try bounded("2.5", Duration.zero), .milliseconds(2500))
        XCTAssertEqual(try bounded("500ms", Duration.zero), .milliseconds(500))
        XCTAssertEqual(try bounded("10s", Duration.zero), .seconds(10))
        XCTAssertEqual(try bounded("1m", Duration.zero), .seconds(60))
        XCTAssertEqual(try bounded("2m", Duration.zero), .seconds(120))
        XCTAssertEqual(try bounded("1.5h", Duration.zero), .seconds(5400))
        XCTAssertEqual(try bounded("2d", Duration.zero), .seconds(172_800))
        XCTAssertEqual(try bounded("250 MS", Duration.zero), .milliseconds(250))
        XCTAssertEqual(try bounded("0.1", Duration.zero), .milliseconds(100), "a decimal is exact, not the nearest double")
        XCTAssertEqual(try bounded("1.5ms", Duration.zero), .microseconds(1500))
        let expected = ValueProblem.invalid(expected: "a duration such as 30, 2.5, 500ms, 30s, 1m, 1h or 1d")
        for bad in ["", "abc", "5x", "1.2.3", ".5", "5.", "-1", "1e3", "ms"] {
            assertProblem(expected) { () throws(ValueProblem) in try bounded(bad, Duration.zero) }
        }
        assertProblem(.aboveMaximum("1h")) { () throws(ValueProblem) in try bounded("2h", Duration.zero, max: .seconds(3600)) }
        assertProblem(.belowMinimum("0.001s")) { () throws(ValueProblem) in try bounded("0.5ms", Duration.seconds(1), min: .milliseconds(1)) }
        // Far too large for any bound, but still a duration: the bound says so.
        assertProblem(.aboveMaximum("1d")) { () throws(ValueProblem) in
            try bounded("99999999999999999999999d", Duration.zero, max: .seconds(86400))
        }
    }

    func testBytes() throws {
        XCTAssertEqual(try bounded("512", ByteCount(0)), 512)
        XCTAssertEqual(try bounded("64k", ByteCount(0)), 65536)
        XCTAssertEqual(try bounded("64KB", ByteCount(0)), 65536)
        XCTAssertEqual(try bounded("1m", ByteCount(0)), ByteCount(1 << 20))
        XCTAssertEqual(try bounded("1 MiB", ByteCount(0)), ByteCount(1 << 20))
        XCTAssertEqual(try bounded("2gib", ByteCount(0)), ByteCount(2 << 30))
        XCTAssertEqual(try bounded("3G", ByteCount(0)), ByteCount(3 << 30))
        let expected = ValueProblem.invalid(expected: "a size in bytes such as 512, 64k, 1m or 2GiB")
        for bad in ["", "1.5m", "k", "10x", "-1", "99999999999t"] {
            assertProblem(expected) { () throws(ValueProblem) in try bounded(bad, ByteCount(0)) }
        }
        assertProblem(.aboveMaximum("1MiB")) { () throws(ValueProblem) in try bounded("2m", ByteCount(0), max: 1_048_576) }
    }

    private enum Level: String, SettingChoice { case debug, info, warning }

    func testChoice() throws {
        XCTAssertEqual(Level.settingType, .choice(["debug", "info", "warning"]))
        XCTAssertEqual(try plain("info", Level.debug), .info)
        XCTAssertEqual(try plain(" WARNING ", Level.debug), .warning, "any case is accepted")
        XCTAssertEqual(Level.warning.settingText, "warning")
        assertProblem(.invalid(expected: "one of debug, info, warning")) { () throws(ValueProblem) in try plain("verbose", Level.debug) }
        let runtime = Setting<String>(key: "sample", choices: ["users", "echo"], default: "users", section: "Test",
                                      reload: .live, summary: "A test setting.")
        XCTAssertEqual(try runtime.parse(" ECHO "), "echo", "stored in the declared spelling")
        assertProblem(.invalid(expected: "one of users, echo")) { () throws(ValueProblem) in try runtime.parse("\"echo\"") }
    }

    func testLogLevelTakesTheNamesExactly() throws {
        XCTAssertEqual(try LogLevel.parse("Warning"), .warning)
        XCTAssertEqual(LogLevel.critical.settingText, "critical")
        assertProblem(.invalid(expected: "one of debug, info, warning, error, critical")) { () throws(ValueProblem) in
            try LogLevel.parse("warn")
        }
    }

    func testFormatRoundTripsEveryType() throws {
        func roundTrip<V: SettingValueType>(_ value: V, line: UInt = #line) throws {
            XCTAssertEqual(try V.parse(value.settingText), value, value.settingText, line: line)
        }
        for n in [0, 1, -5, Int.max, Int.min] { try roundTrip(n) }
        for b in [true, false] { try roundTrip(b) }
        for s in ["", " x ", "\"q", #"a\b"#, "#hash", "plain"] { try roundTrip(s) }
        for list in [[], [""], ["a,b", " x ", #"q"uote"#, #"back\slash"#]] as [[String]] { try roundTrip(list) }
        for d: Duration in [.zero, .milliseconds(1), .microseconds(10), .milliseconds(2500), .seconds(65), .seconds(90),
                            .seconds(3600), .nanoseconds(100), .milliseconds(123_456_789), .seconds(2_592_000)] {
            try roundTrip(d)
        }
        for n in [0, 1, 1023, 1024, 1_048_576, 1_500_000, 1 << 40] { try roundTrip(ByteCount(n)) }
        for mode in PostgresStatementMode.allCases { try roundTrip(mode) }
        for level in LogLevel.allCases { try roundTrip(level) }
    }

    func testFormatPicksTheLargestWholeUnit() {
        XCTAssertEqual(Duration.seconds(65).settingText, "65s")
        XCTAssertEqual(Duration.seconds(120).settingText, "2m")
        XCTAssertEqual(Duration.seconds(5400).settingText, "90m")
        XCTAssertEqual(Duration.seconds(86400).settingText, "1d")
        XCTAssertEqual(Duration.milliseconds(500).settingText, "0.5s")
        XCTAssertEqual(Duration.microseconds(10).settingText, "0.00001s")
        XCTAssertEqual(Duration.zero.settingText, "0")
        XCTAssertEqual(ByteCount(65536).settingText, "64KiB")
        XCTAssertEqual(ByteCount(1_500_000).settingText, "1500000")
        XCTAssertEqual(SettingFormatter.plainDecimal(1e-05), "0.00001")
        XCTAssertEqual(SettingFormatter.plainDecimal(1.5e20), "150000000000000000000")
    }
}
