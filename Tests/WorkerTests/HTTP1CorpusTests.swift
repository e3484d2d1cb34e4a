import XCTest
import ServerCore
@testable import Worker

/// Every corpus file, fed whole, byte by byte and in seeded random pieces, must give the
/// same answer.
final class HTTP1CorpusTests: XCTestCase {
    func testCorpusIsComplete() throws {
        let valid = try HTTP1Corpus.files("valid")
        let invalid = try HTTP1Corpus.files("invalid")
        XCTAssertGreaterThanOrEqual(valid.count, 15)
        XCTAssertGreaterThanOrEqual(invalid.count, 35)
        XCTAssertEqual(Set(valid.map(\.name)), Set(HTTP1CorpusExpectations.valid.keys),
                       "every valid file needs an expectation, and every expectation a file")
        for (name, _) in invalid {
            let status = HTTP1Corpus.expectedStatus(name)
            XCTAssertTrue([400, 413, 414, 417, 431, 501, 505].contains(status ?? 0), "\(name): no status in name")
        }
        for name in HTTP1CorpusExpectations.requestsBeforeFailure.keys {
            XCTAssertTrue(invalid.contains { $0.name == name }, "\(name) is missing")
        }
    }

    func testValidFiles() throws {
        for (name, bytes) in try HTTP1Corpus.files("valid") {
            guard let expected = HTTP1CorpusExpectations.valid[name] else { continue }
            for (label, pieces) in HTTP1Corpus.splittings(count: bytes.count) {
                let outcome = HTTP1Corpus.run(bytes, pieces: pieces)
                let context = "\(name) [\(label)]"
                XCTAssertNil(outcome.contractViolation, context)
                XCTAssertNil(outcome.failure, "\(context): \(outcome.failure.map { "\($0.status) \($0.message)" } ?? "")")
                XCTAssertEqual(outcome.leftover, 0, "\(context): bytes left unconsumed")
                XCTAssertTrue(outcome.idleAtEnd, "\(context): parser not idle after the last request")
                XCTAssertEqual(outcome.requests.count, expected.count, context)
                for (got, want) in zip(outcome.requests, expected) { check(got, want, context) }
            }
        }
    }

    func testInvalidFiles() throws {
        for (name, bytes) in try HTTP1Corpus.files("invalid") {
            let status = HTTP1Corpus.expectedStatus(name)
            let before = HTTP1CorpusExpectations.requestsBeforeFailure[name] ?? 0
            for (label, pieces) in HTTP1Corpus.splittings(count: bytes.count) {
                let outcome = HTTP1Corpus.run(bytes, pieces: pieces)
                let context = "\(name) [\(label)]"
                XCTAssertNil(outcome.contractViolation, context)
                XCTAssertEqual(outcome.failure?.status, status,
                               "\(context): got \(outcome.failure.map { "\($0.status) \($0.message)" } ?? "no failure")")
                XCTAssertEqual(outcome.requests.count, before, "\(context): requests returned before the failure")
                for request in outcome.requests {
                    XCTAssertNotEqual(request.request.path, "/never", "\(context): a request after a bad one was returned")
                }
            }
        }
    }

    /// Feeding more than one copy of a valid file back to back must give every request again:
    /// the parser resets completely between requests.
    func testValidFilesPipelinedBackToBack() throws {
        let files = try HTTP1Corpus.files("valid")
        var all: [UInt8] = []
        var expected: [ExpectedRequest] = []
        // Files whose last request closes the connection still parse; keep-alive is the
        // connection's decision, not the parser's.
        for (name, bytes) in files {
            all += bytes
            expected += HTTP1CorpusExpectations.valid[name] ?? []
        }
        for (label, pieces) in HTTP1Corpus.splittings(count: all.count) {
            let outcome = HTTP1Corpus.run(all, pieces: pieces)
            XCTAssertNil(outcome.failure, "[\(label)] \(outcome.failure?.message ?? "")")
            XCTAssertEqual(outcome.requests.count, expected.count, label)
            for (got, want) in zip(outcome.requests, expected) { check(got, want, label) }
        }
    }

    private func check(_ got: ParsedRequest, _ want: ExpectedRequest, _ context: String,
                       file: StaticString = #filePath, line: UInt = #line) {
        let r = got.request
        let target = want.target ?? (want.query.isEmpty ? want.path : want.path + "?" + want.query)
        XCTAssertEqual(r.method, want.method, context, file: file, line: line)
        XCTAssertEqual(r.target, target, context, file: file, line: line)
        XCTAssertEqual(r.path, want.path, context, file: file, line: line)
        XCTAssertEqual(r.query, want.query, context, file: file, line: line)
        XCTAssertEqual(r.minorVersion, want.minorVersion, context, file: file, line: line)
        XCTAssertEqual(r.headers.count, want.headerCount, context, file: file, line: line)
        for (name, value) in want.headers {
            XCTAssertEqual(r.headers[name], value, "\(context): header \(name)", file: file, line: line)
        }
        XCTAssertEqual(r.body, Array(want.body.utf8), "\(context): body", file: file, line: line)
        XCTAssertEqual(r.remoteAddress, "", context, file: file, line: line)
        XCTAssertEqual(got.keepAlive, want.keepAlive, "\(context): keepAlive", file: file, line: line)
        XCTAssertEqual(got.isHead, want.isHead, "\(context): isHead", file: file, line: line)
    }
}
