import CCrypto

extension Digest {
    /// scrypt (RFC 7914) of `password` and `salt`: `length` bytes, or nil
    /// if libcrypto refuses the parameters or `maxMemory` is too small.
    /// The C function is `EVP_PBE_scrypt(3)`.
    public static func scrypt(password: [UInt8], salt: [UInt8], n: UInt64, r: UInt64, p: UInt64,
                              maxMemory: UInt64, length: Int) -> [UInt8]? {
        var key = [UInt8](repeating: 0, count: length)
        let ok = withCBytes(password) { pw, pwLen in
            withCBytes(salt) { s, sLen in
                key.withUnsafeMutableBufferPointer { out in
                    EVP_PBE_scrypt(pw.assumingMemoryBound(to: CChar.self), pwLen,
                                   s.assumingMemoryBound(to: UInt8.self), sLen,
                                   n, r, p, maxMemory, out.baseAddress, out.count)
                }
            }
        }
        return ok == 1 ? key : nil
    }

    /// PBKDF2-HMAC-SHA-256 (RFC 8018) of `password` and `salt`: `length`
    /// bytes, or nil if libcrypto refuses. The C function is `PKCS5_PBKDF2_HMAC(3)`.
    public static func pbkdf2SHA256(password: [UInt8], salt: [UInt8], iterations: Int, length: Int) -> [UInt8]? {
        guard password.count <= Int(Int32.max), salt.count <= Int(Int32.max), iterations <= Int(Int32.max),
              length <= Int(Int32.max) else { return nil }
        var key = [UInt8](repeating: 0, count: length)
        let ok = withCBytes(password) { pw, pwLen in
            withCBytes(salt) { s, sLen in
                key.withUnsafeMutableBufferPointer { out in
                    PKCS5_PBKDF2_HMAC(pw.assumingMemoryBound(to: CChar.self), Int32(pwLen),
                                      s.assumingMemoryBound(to: UInt8.self), Int32(sLen),
                                      Int32(iterations), EVP_sha256(), Int32(out.count), out.baseAddress)
                }
            }
        }
        return ok == 1 ? key : nil
    }

    /// Calls `body` with a non-null pointer even for empty input, because
    /// libcrypto may treat NULL as "no salt" rather than "empty salt".
    static func withCBytes<R>(_ bytes: [UInt8], _ body: (UnsafeRawPointer, Int) -> R) -> R {
        bytes.withUnsafeBytes { buffer in
            if let base = buffer.baseAddress { return body(base, buffer.count) }
            var zero: UInt8 = 0
            return withUnsafeBytes(of: &zero) { body($0.baseAddress!, 0) }
        }
    }
}
