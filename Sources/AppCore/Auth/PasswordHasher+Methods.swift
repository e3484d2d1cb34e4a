import Paddock
import PaddockSQL

/// Bounds for parameters read from stored hashes: a crafted row must not be
/// able to make one login allocate gigabytes or spin for minutes.
enum PasswordHashLimits {
    static let maxScryptN = 1 << 20
    static let maxScryptR = 32
    static let maxScryptP = 16
    /// N*r*p, i.e. CPU cost: 32x Werkzeug's default (2^15 * 8 * 1), so the
    /// largest configurable cost (password_scrypt_n = 2^20 with r=8) still
    /// verifies. Memory (128*N*r bytes) is then at most 1 GiB.
    static let maxScryptWork = 1 << 23
    /// 128*N*r bytes of scrypt working memory.
    static let maxScryptMemory = 1 << 30
    static let maxPBKDF2Iterations = 10_000_000
    /// Werkzeug 3.1's `DEFAULT_PBKDF2_ITERATIONS`, used by
    /// `check_password_hash` when a pbkdf2 hash omits the count.
    static let defaultPBKDF2Iterations = 1_000_000
}

/// Validated scrypt parameters.
struct ScryptParameters: Equatable {
    let n: Int, r: Int, p: Int

    init?(n: Int, r: Int, p: Int) {
        guard n > 1, n <= PasswordHashLimits.maxScryptN, n & (n - 1) == 0,
              (1...PasswordHashLimits.maxScryptR).contains(r),
              (1...PasswordHashLimits.maxScryptP).contains(p),
              n * r * p <= PasswordHashLimits.maxScryptWork,
              128 * n * r <= PasswordHashLimits.maxScryptMemory else { return nil }
        self.n = n; self.r = r; self.p = p
    }

    /// The 64-byte key, or nil if libcrypto refuses (`Digest.scrypt`).
    func derive(password: [UInt8], salt: [UInt8]) -> [UInt8]? {
        // Werkzeug passes maxmem = 132*N*r*p; OpenSSL needs 128*r*(N+p+2)
        // bytes, so allow that plus slack rather than fail on small N.
        let maxmem = UInt64(128 * r * (n + p + 2) + (1 << 20))
        return Digest.scrypt(password: password, salt: salt, n: UInt64(n), r: UInt64(r), p: UInt64(p),
                             maxMemory: maxmem, length: 64)
    }
}

/// The method field of a stored hash (before the first `$`), as Werkzeug's
/// `_hash_internal` reads it.
enum StoredMethod {
    case scrypt(ScryptParameters)
    case pbkdf2SHA256(iterations: Int)

    init?(_ text: Substring) {
        let fields = text.split(separator: ":", omittingEmptySubsequences: false)
        switch fields.first {
        case "scrypt":
            if fields.count == 1 {
                self = .scrypt(ScryptParameters(n: 32768, r: 8, p: 1)!)
                return
            }
            guard fields.count == 4, let n = Self.number(fields[1]), let r = Self.number(fields[2]),
                  let p = Self.number(fields[3]), let params = ScryptParameters(n: n, r: r, p: p) else { return nil }
            self = .scrypt(params)
        case "pbkdf2":
            // "pbkdf2" and "pbkdf2:sha256" mean sha256 with the default count.
            guard fields.count <= 3, fields.count == 1 || fields[1] == "sha256" else { return nil }
            var iterations = PasswordHashLimits.defaultPBKDF2Iterations
            if fields.count == 3 {
                guard let n = Self.number(fields[2]), n >= 1, n <= PasswordHashLimits.maxPBKDF2Iterations else { return nil }
                iterations = n
            }
            self = .pbkdf2SHA256(iterations: iterations)
        default:
            return nil
        }
    }

    /// Plain decimal digits only, at most 9 of them (no sign, no spaces).
    private static func number(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 9, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int(text)
    }

    func derive(password: [UInt8], salt: [UInt8]) -> [UInt8]? {
        switch self {
        case .scrypt(let params):
            return params.derive(password: password, salt: salt)
        case .pbkdf2SHA256(let iterations):
            return Digest.pbkdf2SHA256(password: password, salt: salt, iterations: iterations, length: 32)
        }
    }
}
