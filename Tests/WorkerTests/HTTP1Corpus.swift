import Foundation
import ServerCore
@testable import Worker

/// Loads the request corpus in `Corpus/` (raw bytes written by `Corpus/generate.py`) and
/// drives an `HTTP1Parser` over it the way a connection does.
enum HTTP1Corpus {
    /// Must match the constants at the top of `Corpus/generate.py`.
    static let limits = HTTPLimits(requestLine: 128, fieldCount: 12, fieldSize: 96, bodySize: 1024, headSize: 1024)

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")

    /// The `.http` files in `valid` or `invalid`, sorted by name.
    static func files(_ folder: String) throws -> [(name: String, bytes: [UInt8])] {
        let url = directory.appendingPathComponent(folder)
        let names = try FileManager.default.contentsOfDirectory(atPath: url.path).filter { $0.hasSuffix(".http") }.sorted()
        return try names.map { ($0, Array(try Data(contentsOf: url.appendingPathComponent($0)))) }
    }

    /// The status an invalid file's name starts with (`400-bare-lf.http`).
    static func expectedStatus(_ name: String) -> Int? { Int(name.prefix(3)) }

    /// What a connection saw while feeding one input.
    struct Outcome {
        var requests: [ParsedRequest] = []
        var failure: HTTPParseError?
        var continues = 0
        /// Bytes never consumed.
        var leftover = 0
        var idleAtEnd = false
        /// A violated parser contract (consumed more than given, no progress, alive after failure).
        var contractViolation: String?
    }

    /// Feeds `bytes` in pieces of the given sizes (the last piece takes the rest), keeping a
    /// connection-style buffer: consumed bytes are dropped, the rest is shown again.
    static func run(_ bytes: [UInt8], pieces: [Int], limits: HTTPLimits = limits) -> Outcome {
        var parser = HTTP1Parser(limits: limits)
        var outcome = Outcome()
        var buffer: [UInt8] = []
        var offset = 0
        var pieceIndex = 0
        while offset < bytes.count {
            let size = pieceIndex < pieces.count ? pieces[pieceIndex] : bytes.count - offset
            pieceIndex += 1
            let end = min(bytes.count, offset + max(1, size))
            buffer.append(contentsOf: bytes[offset..<end])
            offset = end
            var rounds = 0
            feeding: while true {
                rounds += 1
                if rounds > 10_000 { outcome.contractViolation = "no progress"; return outcome }
                let (consumed, result) = buffer.withUnsafeBytes { parser.parse($0) }
                if consumed < 0 || consumed > buffer.count {
                    outcome.contractViolation = "consumed \(consumed) of \(buffer.count)"
                    return outcome
                }
                buffer.removeFirst(consumed)
                switch result {
                case .needMore:
                    break feeding
                case .expectContinue:
                    outcome.continues += 1
                case .request(let request):
                    outcome.requests.append(request)
                case .failure(let error):
                    outcome.failure = error
                    // The parser is dead: it must refuse whatever comes next.
                    let again = buffer.withUnsafeBytes { parser.parse($0) }
                    if again.consumed != 0 { outcome.contractViolation = "consumed after failure" }
                    if case .failure(let e) = again.result, e == error {} else {
                        outcome.contractViolation = "alive after failure"
                    }
                    outcome.leftover = buffer.count + bytes.count - offset
                    return outcome
                }
            }
        }
        outcome.leftover = buffer.count
        outcome.idleAtEnd = parser.isIdle && !parser.isReadingBody
        return outcome
    }

    /// The ways each file is split: whole, byte by byte, and random pieces from seeded generators.
    static func splittings(count: Int) -> [(label: String, pieces: [Int])] {
        var result: [(String, [Int])] = [("whole", [count]), ("byte-by-byte", Array(repeating: 1, count: count))]
        for seed in UInt64(1)...6 {
            var rng = SplitMix64(seed: seed)
            let maxPiece = seed % 2 == 0 ? 7 : 97
            var pieces: [Int] = []
            var total = 0
            while total < count {
                let n = Int(rng.next() % UInt64(maxPiece)) + 1
                pieces.append(n)
                total += n
            }
            result.append(("seed \(seed)", pieces))
        }
        return result
    }
}

/// A small deterministic generator so a failing split can be reproduced from its seed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
