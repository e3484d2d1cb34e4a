// Compiled into every fuzz target (scripts/fuzz): the invariant check and the
// deterministic randomness the targets share.

/// Stops the run when an invariant does not hold. libFuzzer sees the trap as a crash
/// and saves the input; unlike `assert`, this stays in optimized builds.
func invariant(_ condition: Bool, _ message: @autoclosure () -> String,
               file: StaticString = #file, line: UInt = #line) {
    if !condition { fatalError("invariant violated: \(message())", file: file, line: line) }
}

/// The input as a byte array (the targets' APIs take arrays or buffers).
func bytes(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
    Array(UnsafeBufferPointer(start: data, count: size))
}

/// FNV-1a of the input: a seed derived from the bytes themselves, so whatever a target
/// decides "at random" is the same every time the same input runs (reproducible crashes)
/// without spending input bytes on it.
func seed(of input: [UInt8]) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in input { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
    return h
}

/// SplitMix64, the generator the parser tests use for their random splits.
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

/// Piece sizes (each at least 1) that add up to `count`, for feeding an input in parts.
func pieces(count: Int, seed: UInt64, maxPiece: Int) -> [Int] {
    var rng = SplitMix64(seed: seed)
    var result: [Int] = []
    var total = 0
    while total < count {
        let n = min(count - total, Int(rng.next() % UInt64(maxPiece)) + 1)
        result.append(n)
        total += n
    }
    return result
}
