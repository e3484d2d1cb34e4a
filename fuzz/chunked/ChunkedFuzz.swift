// libFuzzer target: the chunked transfer-coding decoder (Sources/Worker/HTTP1ChunkedDecoder.swift).
// Built and run by scripts/fuzz.
@testable import Worker

/// A small body limit, so short inputs reach 413.
let limits = HTTPLimits(fieldCount: 12, fieldSize: 96, bodySize: 1024)

struct Decoded: Equatable {
    var body: [UInt8] = []
    /// Bytes used up to the end of the chunked body, when it ended.
    var end: Int?
    var failure: HTTPParseError?
}

/// Decodes `input` fed in `pieces`, checking the decoder's contract on every call.
func decode(_ input: [UInt8], pieces: [Int], limits: HTTPLimits) -> Decoded {
    var decoder = HTTP1ChunkedDecoder()
    var result = Decoded()
    var offset = 0
    for size in pieces {
        let piece = input[offset..<offset + size]
        // Taken out and put back, so appending does not copy the body each time.
        var body = result.body
        result.body = []
        let step = piece.withUnsafeBytes { buffer in
            Result { () throws(HTTPParseError) in try decoder.decode(buffer, into: &body, limits: limits) }
        }
        result.body = body
        do {
            let (consumed, done) = try step.get()
            invariant(consumed >= 0 && consumed <= size, "consumed \(consumed) of \(size) bytes")
            invariant(result.body.count <= limits.bodySize, "body of \(result.body.count) bytes over the limit")
            if done {
                result.end = offset + consumed
                return result
            }
            invariant(consumed == size, "consumed \(consumed) of \(size) bytes without finishing")
        } catch {
            invariant([400, 413, 431].contains(error.status), "status \(error.status): \(error.message)")
            result.failure = error
            return result
        }
        offset += size
    }
    return result
}

/// `body` in the chunked coding: chunks of seeded sizes, some with extensions, then a
/// trailer field.
func encode(_ body: [UInt8], seed: UInt64) -> [UInt8] {
    var out: [UInt8] = []
    var offset = 0
    for (i, size) in pieces(count: body.count, seed: seed, maxPiece: 300).enumerated() {
        out += Array(String(size, radix: 16, uppercase: i % 2 == 1).utf8)
        if i % 3 == 2 { out += Array(#" ; name="quoted value";flag"#.utf8) }
        out += [13, 10] + body[offset..<offset + size] + [13, 10]
        offset += size
    }
    out += Array("0\r\nX-Trailer: t\r\n\r\n".utf8)
    return out
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChunked(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    guard !input.isEmpty else { return 0 }
    let s = seed(of: input)

    // The input as a chunked body: however it is split, the same body, end and verdict.
    let whole = decode(input, pieces: [input.count], limits: limits)
    for (label, split) in [("byte by byte", Array(repeating: 1, count: input.count)),
                           ("pieces", pieces(count: input.count, seed: s, maxPiece: 13))] {
        let outcome = decode(input, pieces: split, limits: limits)
        invariant(outcome == whole, "fed \(label): \(outcome) but whole: \(whole)")
    }

    // The input as a body: encoded, then decoded in pieces, it comes back unchanged, and
    // the decoder stops exactly at the end of the coding, leaving what follows.
    let encoded = encode(input, seed: s)
    let next = Array("GET / HTTP/1.1\r\n".utf8)
    let roomy = HTTPLimits(bodySize: input.count)
    let stream = encoded + next
    let back = decode(stream, pieces: pieces(count: stream.count, seed: s &+ 1, maxPiece: 512), limits: roomy)
    invariant(back.failure == nil, "encoded body rejected: \(back.failure!)")
    invariant(back.body == input, "encoded body decoded to \(back.body.count) bytes, not \(input.count)")
    invariant(back.end == encoded.count, "decoding ended at \(back.end.map(String.init) ?? "nothing"), not \(encoded.count)")
    return 0
}
