import Paddock
import PaddockSQL

/// Whether a verified token may still act for the user row its `sub` names.
///
/// Two instants end earlier tokens, both in microseconds since the epoch:
///
/// - `validAfter`, recorded when the password changes or the account is
///   deleted (the record outlives the row, so it also covers a later
///   account given the same id). A token must have been issued at or after
///   it, and a token known only to the second counts as issued at the start
///   of that second: a revocation never lets an older token through, at the
///   price that a flask-jwt-extended token issued in the same second just
///   after a change made here is refused too (its holder logs in again).
/// - `accountCreated`, the row's `created_at`: a token issued before the
///   account existed belonged to an earlier holder of the id, deleted where
///   no `validAfter` was recorded (by the Flask application, on a database
///   that hands ids out again). Here a token known only to the second counts
///   as issued at the end of it, so a Flask login right after registering
///   still works.
///
/// Paddock's own tokens are known to the microsecond, so for them both
/// rules are exact: a login right after a password change, in the same
/// second, works; a token from just before it does not.
struct TokenCutoff: Equatable {
    var validAfter: Int?
    var accountCreated: Int?

    func admits(_ issued: TokenIssueInstant) -> Bool {
        if let validAfter, issued.earliest < validAfter { return false }
        if let accountCreated, issued.latest < accountCreated { return false }
        return true
    }
}
