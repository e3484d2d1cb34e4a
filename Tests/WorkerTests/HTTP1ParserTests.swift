import XCTest
import ServerCore
@testable import Worker

/// Parser behaviour the corpus cannot show: limits taken from `HTTPLimits`, the
/// 100-continue hand-shake, the idle and body-reading flags, and the no-copy head path.
final class HTTP1ParserTests: XCTestCase {
    private func parseAll(_ text: String, limits: HTTPLimits = HTTPLimits()) -> HTTP1Corpus.Outcome {
        let bytes = Array(text.utf8)
        return HTTP1Corpus.run(bytes, pieces: [bytes.count], limits: limits)
    }

    private func head(_ lines: [String]) -> String { lines.joined(separator: "\r\n") + "\r\n\r\n" }

    // MARK: Limits

    func testRequestLineLimitFromSettings() {
        for limits in [HTTPLimits(), HTTPLimits(requestLine: 64), HTTPLimits(requestLine: 1000)] {
            let atLimit = "GET /" + String(repeating: "p", count: limits.requestLine - 14) + " HTTP/1.1"
            XCTAssertEqual(atLimit.utf8.count, limits.requestLine)
            XCTAssertEqual(parseAll(head([atLimit, "Host: x"]), limits: limits).requests.count, 1)
            let over = "GET /" + String(repeating: "p", count: limits.requestLine - 13) + " HTTP/1.1"
            XCTAssertEqual(parseAll(head([over, "Host: x"]), limits: limits).failure?.status, 414)
            // Still 414 while the line is incomplete: the client cannot grow it forever.
            XCTAssertEqual(parseAll(over, limits: limits).failure?.status, 414)
        }
    }

    func testFieldSizeLimitFromSettings() {
        for limits in [HTTPLimits(), HTTPLimits(fieldSize: 100)] {
            let atLimit = "X-Pad: " + String(repeating: "v", count: limits.fieldSize - 7)
            XCTAssertEqual(parseAll(head(["GET / HTTP/1.1", "Host: x", atLimit]), limits: limits).requests.count, 1)
            let over = atLimit + "v"
            XCTAssertEqual(parseAll(head(["GET / HTTP/1.1", "Host: x", over]), limits: limits).failure?.status, 431)
            XCTAssertEqual(parseAll("GET / HTTP/1.1\r\nHost: x\r\n" + over, limits: limits).failure?.status, 431)
        }
    }

    func testFieldCountLimitFromSettings() {
        for limits in [HTTPLimits(), HTTPLimits(fieldCount: 3)] {
            let fields = (1..<limits.fieldCount).map { "X-\($0): v" }
            XCTAssertEqual(parseAll(head(["GET / HTTP/1.1", "Host: x"] + fields), limits: limits)
                .requests.first?.request.headers.count, limits.fieldCount)
            XCTAssertEqual(parseAll(head(["GET / HTTP/1.1", "Host: x", "X-0: v"] + fields), limits: limits)
                .failure?.status, 431)
        }
    }

    func testHeadSizeLimitFromSettings() {
        let limits = HTTPLimits(headSize: 200)
        let fields = (0..<8).map { "X-\($0): " + String(repeating: "v", count: 20) }
        XCTAssertEqual(parseAll(head(["GET / HTTP/1.1", "Host: x"] + fields), limits: limits).failure?.status, 431)
        XCTAssertEqual(parseAll(head(["GET / HTTP/1.1", "Host: x"] + fields.prefix(4)), limits: limits).requests.count, 1)
    }

    func testBodySizeLimitFromSettings() {
        for limits in [HTTPLimits(), HTTPLimits(bodySize: 10)] {
            let n = limits.bodySize
            let body = String(repeating: "b", count: n)
            let ok = parseAll(head(["POST / HTTP/1.1", "Host: x", "Content-Length: \(n)"]) + body, limits: limits)
            XCTAssertEqual(ok.requests.first?.request.body.count, n)
            let over = parseAll(head(["POST / HTTP/1.1", "Host: x", "Content-Length: \(n + 1)"]), limits: limits)
            XCTAssertEqual(over.failure?.status, 413)
            let chunkedOver = head(["POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked"])
                + String(n, radix: 16) + "\r\n" + body + "\r\n1\r\nb\r\n0\r\n\r\n"
            XCTAssertEqual(parseAll(chunkedOver, limits: limits).failure?.status, 413)
            let chunkedAt = head(["POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked"])
                + String(n, radix: 16) + "\r\n" + body + "\r\n0\r\n\r\n"
            XCTAssertEqual(parseAll(chunkedAt, limits: limits).requests.first?.request.body.count, n)
        }
    }

    // MARK: 100-continue

    func testExpectContinueIsReturnedOnceBeforeTheBody() {
        var parser = HTTP1Parser(limits: HTTPLimits())
        let headBytes = Array(head(["PUT /f HTTP/1.1", "Host: x", "Expect: 100-continue", "Content-Length: 5"]).utf8)
        let first = headBytes.withUnsafeBytes { parser.parse($0) }
        XCTAssertEqual(first.consumed, headBytes.count)
        guard case .expectContinue = first.result else { return XCTFail("expected .expectContinue, got \(first.result)") }
        XCTAssertTrue(parser.isReadingBody)
        XCTAssertFalse(parser.isIdle)

        let empty: [UInt8] = []
        guard case .needMore = empty.withUnsafeBytes({ parser.parse($0) }).result else { return XCTFail("no second interim") }
        let part = Array("he".utf8)
        XCTAssertEqual(part.withUnsafeBytes { parser.parse($0) }.consumed, 2)
        let rest = Array("llo".utf8)
        let last = rest.withUnsafeBytes { parser.parse($0) }
        guard case .request(let r) = last.result else { return XCTFail("expected the request") }
        XCTAssertEqual(r.request.body, Array("hello".utf8))
        XCTAssertTrue(parser.isIdle)
        XCTAssertFalse(parser.isReadingBody)
    }

    func testExpectContinueSkippedWhenBodyAlreadyArrivedOrAbsent() {
        let withBody = parseAll(head(["PUT / HTTP/1.1", "Host: x", "Expect: 100-continue", "Content-Length: 1"]) + "a")
        XCTAssertEqual(withBody.continues, 0)
        XCTAssertEqual(withBody.requests.count, 1)
        let noBody = parseAll(head(["GET / HTTP/1.1", "Host: x", "Expect: 100-continue"]))
        XCTAssertEqual(noBody.continues, 0)
        XCTAssertEqual(noBody.requests.count, 1)
        let http10 = parseAll(head(["PUT / HTTP/1.0", "Expect: 100-continue", "Content-Length: 1"]))
        XCTAssertEqual(http10.continues, 0)
        let chunked = parseAll(head(["PUT / HTTP/1.1", "Host: x", "Expect: 100-continue", "Transfer-Encoding: chunked"]))
        XCTAssertEqual(chunked.continues, 1)
    }

    // MARK: Buffering contract

    func testIncompleteHeadIsNotConsumed() {
        var parser = HTTP1Parser(limits: HTTPLimits())
        XCTAssertTrue(parser.isIdle)
        let partial = Array("GET /x HTTP/1.1\r\nHost: x\r\n".utf8)
        let r = partial.withUnsafeBytes { parser.parse($0) }
        XCTAssertEqual(r.consumed, 0)
        XCTAssertFalse(parser.isIdle, "the header timeout runs from the first byte")
        XCTAssertFalse(parser.isReadingBody)
        let complete = partial + Array("\r\nGET".utf8)
        let done = complete.withUnsafeBytes { parser.parse($0) }
        XCTAssertEqual(done.consumed, complete.count - 3, "the next request's bytes are left alone")
        guard case .request(let req) = done.result else { return XCTFail("expected a request") }
        XCTAssertEqual(req.request.path, "/x")
        XCTAssertTrue(parser.isIdle)
    }

    func testBodyBytesAreConsumedAsTheyArrive() {
        var parser = HTTP1Parser(limits: HTTPLimits())
        let bytes = Array((head(["POST / HTTP/1.1", "Host: x", "Content-Length: 10"]) + "01234").utf8)
        let r = bytes.withUnsafeBytes { parser.parse($0) }
        XCTAssertEqual(r.consumed, bytes.count)
        XCTAssertTrue(parser.isReadingBody)
        let rest = Array("56789GET".utf8)
        let done = rest.withUnsafeBytes { parser.parse($0) }
        XCTAssertEqual(done.consumed, 5)
        guard case .request(let req) = done.result else { return XCTFail("expected a request") }
        XCTAssertEqual(String(decoding: req.request.body, as: UTF8.self), "0123456789")
    }

    func testParserIsDeadAfterFailure() {
        var parser = HTTP1Parser(limits: HTTPLimits())
        let bad = Array("GET / HTTP/1.1\r\n\r\n".utf8)
        guard case .failure(let e) = bad.withUnsafeBytes({ parser.parse($0) }).result else { return XCTFail("expected failure") }
        XCTAssertEqual(e.status, 400)
        let good = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        let again = good.withUnsafeBytes { parser.parse($0) }
        XCTAssertEqual(again.consumed, 0)
        guard case .failure(let e2) = again.result else { return XCTFail("a dead parser accepted a request") }
        XCTAssertEqual(e2, e)
    }

    // MARK: Byte classes

    func testTcharMaskMatchesRFC9110() {
        let tchars = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        for c in UInt8.min...UInt8.max { XCTAssertEqual(HTTP1Bytes.isTchar(c), tchars.contains(c), "byte \(c)") }
        let regName = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=".utf8)
        for c in UInt8.min...UInt8.max { XCTAssertEqual(HTTP1Bytes.isRegNameChar(c), regName.contains(c), "byte \(c)") }
    }

    // MARK: Throughput

    /// Parses 100k pipelined requests and checks each; run it in release to see the rate.
    func testParsesHundredThousandRequests() {
        let one = Array("GET /health HTTP/1.1\r\nHost: x\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n".utf8)
        var batch: [UInt8] = []
        for _ in 0..<100 { batch += one }
        var parser = HTTP1Parser(limits: HTTPLimits())
        var count = 0
        let start = ContinuousClock.now
        batch.withUnsafeBytes { buffer in
            for _ in 0..<1000 {
                var offset = 0
                while offset < buffer.count {
                    let (consumed, result) = parser.parse(UnsafeRawBufferPointer(rebasing: buffer[offset...]))
                    guard case .request(let r) = result, r.request.path == "/health", r.request.headers.count == 3,
                          r.keepAlive else { return XCTFail("unexpected \(result)") }
                    offset += consumed
                    count += 1
                }
            }
        }
        let elapsed = ContinuousClock.now - start
        XCTAssertEqual(count, 100_000)
        print("HTTP1Parser: 100000 requests in \(elapsed)")
    }
}
