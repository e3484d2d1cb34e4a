import CCrypto

/// Makes request ids: 16 random bytes as 32 hex digits. xoshiro256** seeded
/// from the kernel's generator through libcrypto's `RAND_bytes`: ids only need
/// to be unique and unguessable enough to not collide across workers, and a
/// PRNG step costs a few nanoseconds where `RAND_bytes` per request takes a lock.
struct RequestIDGenerator {
    /// libcrypto could not supply a seed (no entropy source at all).
    struct SeedError: Error, CustomStringConvertible {
        var description: String { "RAND_bytes could not seed the request id generator" }
    }

    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// Seeds from `RAND_bytes`. Each worker makes its own after `exec`, so no
    /// two processes share a state.
    init() throws {
        var seed = [UInt64](repeating: 0, count: 4)
        let ok = seed.withUnsafeMutableBytes { RAND_bytes($0.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32($0.count)) }
        guard ok == 1 else { throw SeedError() }
        // xoshiro's one forbidden state is all zeros.
        if seed.allSatisfy({ $0 == 0 }) { seed[0] = 0x9E37_79B9_7F4A_7C15 }
        (s0, s1, s2, s3) = (seed[0], seed[1], seed[2], seed[3])
    }

    /// xoshiro256** (Blackman and Vigna, https://prng.di.unimi.it).
    mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// 32 lower-case hex digits.
    mutating func makeID() -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(32)
        for word in [next(), next()] {
            for shift in stride(from: 60, through: 0, by: -4) { out.append(digits[Int((word >> UInt64(shift)) & 0xF)]) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A client's or proxy's `X-Request-ID` worth keeping: 1 to 200 visible
    /// ASCII characters. No spaces or control characters, so it stays one
    /// field in a text log line and is safe to echo in a response header.
    static func isAcceptable(_ id: String) -> Bool {
        let utf8 = id.utf8
        return !utf8.isEmpty && utf8.count <= 200 && utf8.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }
    }
}
