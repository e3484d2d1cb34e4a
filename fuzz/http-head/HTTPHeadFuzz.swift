// libFuzzer target: the HTTP/1.1 request parser (Sources/Worker/HTTP1*.swift), fed the
// way a connection feeds it. Built and run by scripts/fuzz.
import ServerCore
@testable import Worker

/// Small limits, the same as the parser corpus (Tests/WorkerTests/Corpus), so short
/// inputs reach every limit and the corpus files are good seeds.
let limits = HTTPLimits(requestLine: 128, fieldCount: 12, fieldSize: 96, bodySize: 1024, headSize: 1024)

/// The statuses a rejected request may get (HTTPParseError).
let rejectionStatuses: Set<Int> = [400, 413, 414, 417, 431, 501, 505]

/// What one request looked like, comparable across feeds.
struct Summary: Equatable {
    var method, target, path, query: String
    var minorVersion: Int
    var fields: [String]
    var body: [UInt8]
    var keepAlive, isHead: Bool

    init(_ parsed: ParsedRequest) {
        let r = parsed.request
        method = r.method; target = r.target; path = r.path; query = r.query
        minorVersion = r.minorVersion
        fields = r.headers.fields.map { $0.name + ":" + $0.value }
        body = r.body
        keepAlive = parsed.keepAlive; isHead = parsed.isHead
    }
}

struct Outcome: Equatable {
    var requests: [Summary] = []
    var failure: HTTPParseError?
}

/// Feeds `input` in `pieces` through a connection-style buffer (consumed bytes are
/// dropped, the rest is shown again with the next piece), checking the parser's contract
/// on every call.
func run(_ input: [UInt8], pieces: [Int]) -> Outcome {
    var parser = HTTP1Parser(limits: limits)
    var outcome = Outcome()
    var buffer: [UInt8] = []
    var offset = 0
    for size in pieces {
        buffer.append(contentsOf: input[offset..<offset + size])
        offset += size
        var calls = 0
        let available = buffer.count
        while true {
            calls += 1
            // Every request and every 100-continue takes at least one byte, so more calls
            // than bytes on hand means a parser that spins without progress.
            invariant(calls <= available + 2, "no progress after \(calls) calls on \(available) bytes")
            let (consumed, result) = buffer.withUnsafeBytes { parser.parse($0) }
            invariant(consumed >= 0 && consumed <= buffer.count, "consumed \(consumed) of \(buffer.count) bytes")
            buffer.removeFirst(consumed)
            switch result {
            case .needMore:
                invariant(consumed == 0 || !parser.isIdle, "consumed bytes but idle and asking for more")
            case .expectContinue:
                continue
            case .request(let parsed):
                check(parsed)
                outcome.requests.append(Summary(parsed))
                continue
            case .failure(let error):
                invariant(consumed == 0, "consumed \(consumed) bytes with a failure")
                invariant(rejectionStatuses.contains(error.status), "status \(error.status): \(error.message)")
                // Nothing after a bad request is processed: the parser stays failed.
                let again = buffer.withUnsafeBytes { parser.parse($0) }
                invariant(again.consumed == 0, "consumed \(again.consumed) bytes after a failure")
                if case .failure(let same) = again.result {
                    invariant(same == error, "a different failure the second time: \(same) after \(error)")
                } else {
                    invariant(false, "parser alive after a failure")
                }
                outcome.failure = error
                return outcome
            }
            break
        }
    }
    return outcome
}

/// What every accepted request satisfies, whatever the bytes.
func check(_ parsed: ParsedRequest) {
    let r = parsed.request
    invariant(!r.method.isEmpty && !r.target.isEmpty && !r.path.isEmpty, "empty method, target or path")
    invariant(r.minorVersion == 0 || r.minorVersion == 1, "minor version \(r.minorVersion)")
    invariant(r.headers.count <= limits.fieldCount, "\(r.headers.count) fields")
    invariant(r.body.count <= limits.bodySize, "body of \(r.body.count) bytes")
    invariant(r.target.utf8.count <= limits.requestLine, "target longer than the request line limit")
    if r.target.hasPrefix("/") {
        let expected = r.query.isEmpty && !r.target.hasSuffix("?") ? r.target : r.path + "?" + r.query
        invariant(r.target == expected, "target \(r.target) is not path \(r.path) + query \(r.query)")
    }
    invariant(!(r.minorVersion == 1 && r.headers["host"] == nil), "HTTP/1.1 request without Host")
    invariant(parsed.isHead == (r.method == "HEAD"), "isHead \(parsed.isHead) for method \(r.method)")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPHead(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    guard !input.isEmpty else { return 0 }
    // However the bytes are split across reads, the requests and the verdict are the same.
    let whole = run(input, pieces: [input.count])
    let s = seed(of: input)
    for (label, split) in [("byte by byte", Array(repeating: 1, count: input.count)),
                           ("small pieces", pieces(count: input.count, seed: s, maxPiece: 7)),
                           ("large pieces", pieces(count: input.count, seed: s &+ 1, maxPiece: 97))] {
        let outcome = run(input, pieces: split)
        invariant(outcome == whole, "fed \(label): \(outcome) but whole: \(whole)")
    }
    return 0
}
