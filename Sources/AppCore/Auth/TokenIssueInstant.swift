import Paddock
import PaddockSQL

/// When a token was issued, as closely as the token tells: to the
/// microsecond for Paddock's tokens (their `jti` carries it, see
/// `JWTCodec.uuid7`), only to the second for flask-jwt-extended's, whose
/// `iat` is whole seconds and whose `jti` is random.
struct TokenIssueInstant: Equatable {
    /// The earliest and the latest microsecond since the epoch at which the
    /// token can have been issued; equal when the instant is known exactly.
    let earliest: Int
    let latest: Int

    init(earliest: Int, latest: Int) {
        self.earliest = earliest
        self.latest = latest
    }

    /// From verified claims. A `jti` time outside the `iat` second is not
    /// believed (it cannot come from `JWTCodec.issue`), so the second decides.
    init(_ claims: JWTClaims) {
        let (second, overflow) = claims.iat.multipliedReportingOverflow(by: 1_000_000)
        if overflow {
            // Only an absurd iat overflows, and the verifier has made sure it is not in the future.
            self.init(earliest: .min, latest: .min)
        } else if let exact = JWTCodec.uuid7Microseconds(claims.jti), exact / 1_000_000 == claims.iat {
            self.init(earliest: exact, latest: exact)
        } else {
            self.init(earliest: second, latest: second + 999_999)
        }
    }
}
