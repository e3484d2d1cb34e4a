import CCrypto

/// Hashes, MACs, randomness and text encodings for tokens and password
/// hashes, all backed by libcrypto (nothing here is hand-rolled crypto).
public enum Digest {
    /// SHA-256 of `data` (32 bytes). The C function is `EVP_Digest(3)`.
    public static func sha256(_ data: [UInt8]) -> [UInt8] {
        data.withUnsafeBytes { sha256($0) }
    }

    /// SHA-256 of the bytes in `data` (32 bytes). The C function is `EVP_Digest(3)`.
    public static func sha256(_ data: UnsafeRawBufferPointer) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        var length: UInt32 = 0
        let ok = withNonNullBase(data) { base in
            out.withUnsafeMutableBufferPointer { md in
                EVP_Digest(base, data.count, md.baseAddress, &length, EVP_sha256(), nil)
            }
        }
        // Hashing memory only fails when libcrypto itself cannot allocate.
        guard ok == 1, length == UInt32(SHA256_DIGEST_LENGTH) else { fatalError("EVP_Digest(sha256) failed") }
        return out
    }

    /// HMAC-SHA-256 of `data` under `key` (32 bytes). The C function is `HMAC(3)`.
    public static func hmacSHA256(key: [UInt8], data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        var length: UInt32 = 0
        let result = key.withUnsafeBytes { k in
            data.withUnsafeBytes { d in
                withNonNullBase(k) { kBase in
                    withNonNullBase(d) { dBase in
                        out.withUnsafeMutableBufferPointer { md in
                            HMAC(EVP_sha256(), kBase, Int32(k.count),
                                 dBase.assumingMemoryBound(to: UInt8.self), d.count,
                                 md.baseAddress, &length)
                        }
                    }
                }
            }
        }
        guard result != nil, length == UInt32(SHA256_DIGEST_LENGTH) else { fatalError("HMAC(sha256) failed") }
        return out
    }

    /// `count` bytes from the operating system's CSPRNG. The C function is `RAND_bytes(3)`.
    ///
    /// Stops the process if the generator fails: issuing a token or salt from
    /// predictable bytes would be worse than not serving the request.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        precondition(count >= 0 && count <= Int(Int32.max), "randomBytes: bad count \(count)")
        var out = [UInt8](repeating: 0, count: count)
        if count == 0 { return out }
        let ok = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        guard ok == 1 else { fatalError("RAND_bytes failed: CSPRNG unavailable") }
        return out
    }

    /// Compares two byte strings in time that depends only on their length,
    /// so a signature or password check leaks nothing about where they differ.
    /// Different lengths compare unequal. The C function is `CRYPTO_memcmp(3)`.
    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return a.withUnsafeBytes { x in
            b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, x.count) == 0 }
        }
    }

    /// Lowercase hexadecimal text of `bytes`, as Python's `bytes.hex()`.
    public static func hex(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(hexDigits[Int(b >> 4)])
            out.append(hexDigits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    // libcrypto may treat a NULL pointer as "no input" differently from an
    // empty buffer, so an empty input gets a pointer to a real (unused) byte.
    private static func withNonNullBase<R>(_ buffer: UnsafeRawBufferPointer,
                                           _ body: (UnsafeRawPointer) -> R) -> R {
        if let base = buffer.baseAddress { return body(base) }
        var zero: UInt8 = 0
        return withUnsafeBytes(of: &zero) { body($0.baseAddress!) }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
