import XCTest
import ServerCore
@testable import Worker

/// A request gets the same answer however its bytes are split across reads: the limits
/// applied to a line still arriving and to a complete one must agree (found by fuzzing).
final class HTTP1SplitConsistencyTests: XCTestCase {
    private func statuses(_ text: [UInt8], limits: HTTPLimits) -> [String: Int?] {
        var result: [String: Int?] = [:]
        for (label, pieces) in HTTP1Corpus.splittings(count: text.count) {
            result[label] = HTTP1Corpus.run(text, pieces: pieces, limits: limits).failure?.status
        }
        return result
    }

    private func assertSameEverywhere(_ text: [UInt8], _ expected: Int, limits: HTTPLimits = HTTP1Corpus.limits,
                                      file: StaticString = #filePath, line: UInt = #line) {
        for (label, status) in statuses(text, limits: limits) {
            XCTAssertEqual(status, expected, label, file: file, line: line)
        }
    }

    /// A field line over the limit that ends in a bare LF: fed whole it was 400 (bare LF),
    /// trickled it was 431 (the limit tripped before the LF arrived).
    func testOverlongFieldEndingInBareLF() {
        let long = "X-A: " + String(repeating: "v", count: HTTP1Corpus.limits.fieldSize)
        assertSameEverywhere(Array("GET / HTTP/1.1\r\nHost: x\r\n\(long)\n\r\n".utf8), 431)
        // The fuzzer's input: obs-text and a stray CR inside the over-long line.
        let fuzzed: [UInt8] = Array("GET / HTTP/1.1\r\nzHost: x\r\nX-Az one\r".utf8) + Array(repeating: 0x87, count: 105)
            + Array("\rot w\n\n\r\n".utf8)
        assertSameEverywhere(fuzzed, 431)
    }

    func testOverlongRequestLineEndingInBareLF() {
        let target = "/" + String(repeating: "a", count: HTTP1Corpus.limits.requestLine)
        assertSameEverywhere(Array("GET \(target) HTTP/1.1\nHost: x\r\n\r\n".utf8), 414)
    }

    /// A line that takes the head over its size limit and ends in a bare LF.
    func testHeadOverSizeEndingInBareLF() {
        let limits = HTTPLimits(requestLine: 128, fieldCount: 12, fieldSize: 96, bodySize: 1024, headSize: 60)
        let field = "X-A: " + String(repeating: "v", count: 40)
        assertSameEverywhere(Array("GET / HTTP/1.1\r\nHost: x\r\n\(field)\n\r\n".utf8), 431, limits: limits)
    }

    /// A field line that crosses the head size limit and, complete, is over the field limit
    /// too: a trickling client is stopped at the head limit before the line is long enough
    /// to break the field limit, so a client sending it at once must get that answer.
    func testLineCrossingHeadLimitGetsTheHeadLimitsAnswer() {
        let limits = HTTPLimits(requestLine: 128, fieldCount: 12, fieldSize: 64, bodySize: 1024, headSize: 60)
        let field = "X-A: " + String(repeating: "v", count: 80)
        let text = Array("GET / HTTP/1.1\r\nHost: x\r\n\(field)\r\n\r\n".utf8)
        for (label, pieces) in HTTP1Corpus.splittings(count: text.count) {
            let failure = HTTP1Corpus.run(text, pieces: pieces, limits: limits).failure
            XCTAssertEqual(failure?.status, 431, label)
            XCTAssertEqual(failure?.message, "request head too large", label)
        }
    }

    /// Within the limits a bare LF is still refused as such.
    func testBareLFWithinLimitsIs400() {
        assertSameEverywhere(Array("GET / HTTP/1.1\r\nHost: x\nX-A: b\r\n\r\n".utf8), 400)
    }
}
