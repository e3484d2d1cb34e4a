import Paddock
import PaddockSQL

/// Creates and checks password hashes in Werkzeug's format
/// (`werkzeug.security.generate_password_hash` / `check_password_hash`), so
/// rows written by the Python stack keep working and vice versa.
///
/// Formats: `scrypt:N:r:p$salt$hex` (64-byte key) and
/// `pbkdf2:sha256:iterations$salt$hex` (32-byte key). The salt is used as its
/// UTF-8 text, not decoded. Key derivation is libcrypto's.
public struct PasswordHasher: Sendable {
    /// scrypt cost for new hashes.
    public let scryptN: Int
    /// scrypt block size for new hashes.
    public let r: Int
    /// scrypt parallelism for new hashes.
    public let p: Int

    /// Creates a hasher whose new hashes use the given scrypt parameters;
    /// the defaults are Werkzeug's (N=2^15, r=8, p=1: 32 MiB per hash).
    public init(scryptN: Int = 32768, r: Int = 8, p: Int = 1) {
        precondition(ScryptParameters(n: scryptN, r: r, p: p) != nil,
                     "scrypt parameters out of range: N=\(scryptN) r=\(r) p=\(p)")
        self.scryptN = scryptN
        self.r = r
        self.p = p
    }

    /// Hashes `password` with a fresh 16-character salt from [A-Za-z0-9],
    /// giving `scrypt:N:r:p$<salt>$<128 hex digits>`.
    public func hash(_ password: String) -> String {
        let salt = Self.makeSalt()
        let params = ScryptParameters(n: scryptN, r: r, p: p)!
        guard let key = params.derive(password: Array(password.utf8), salt: Array(salt.utf8)) else {
            // Parameters were validated in init; failure means libcrypto could not allocate.
            fatalError("EVP_PBE_scrypt failed for N=\(scryptN) r=\(r) p=\(p)")
        }
        return "scrypt:\(scryptN):\(r):\(p)$\(salt)$\(Digest.hex(key))"
    }

    /// A hash in the format `hash(_:)` makes, with this hasher's cost and a
    /// fresh salt, that no password matches: its key is random bytes, not
    /// derived from anything. Checking a password against it costs exactly
    /// what checking against a real hash of this cost does, which is its use
    /// (a login for an unknown e-mail), and making it costs nothing: no key
    /// derivation, so no 32 MiB scrypt block for a worker that never logs
    /// anyone in.
    public func unmatchableHash() -> String {
        "scrypt:\(scryptN):\(r):\(p)$\(Self.makeSalt())$\(Digest.hex(Digest.randomBytes(64)))"
    }

    /// Whether `password` matches `stored`. Malformed, unknown or
    /// out-of-bounds hashes are simply `false`, never a crash or a huge
    /// allocation. The final comparison is constant-time.
    public func verify(_ password: String, against stored: String) -> Bool {
        // Werkzeug splits on the first two '$'; the salt cannot contain one.
        let parts = stored.split(separator: "$", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return false }
        guard let method = StoredMethod(parts[0]) else { return false }
        guard let key = method.derive(password: Array(password.utf8), salt: Array(parts[1].utf8)) else {
            return false
        }
        // Werkzeug compares the hex texts, so uppercase digits never match.
        return Digest.constantTimeEquals(Array(Digest.hex(key).utf8), Array(parts[2].utf8))
    }

    static let saltAlphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

    /// 16 characters like Werkzeug's `gen_salt`: uniform over the alphabet,
    /// using rejection sampling so no character is more likely than another.
    static func makeSalt(length: Int = 16) -> String {
        var out: [UInt8] = []
        let limit = 256 - 256 % saltAlphabet.count
        while out.count < length {
            for b in Digest.randomBytes(length * 2) where Int(b) < limit && out.count < length {
                out.append(saltAlphabet[Int(b) % saltAlphabet.count])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
