import Paddock

/// The two kinds of token flask-jwt-extended issues (its `type` claim).
public enum TokenType: String, Sendable {
    case access, refresh
}

/// The claims of a verified token, as flask-jwt-extended 4.x writes them.
public struct JWTClaims: Sendable, Equatable {
    /// The identity: the user id as a string.
    public var sub: String
    /// Access or refresh.
    public var type: TokenType
    /// Whether the access token came from a login rather than a refresh.
    public var fresh: Bool
    /// Unique token id (uuid4 text).
    public var jti: String
    /// Issued-at, seconds since the epoch.
    public var iat: Int
    /// Not-before, seconds since the epoch.
    public var nbf: Int
    /// Expiry, seconds since the epoch.
    public var exp: Int
    /// The double-submit CSRF value; unused with header transport.
    public var csrf: String?

    /// Creates a set of claims.
    public init(sub: String, type: TokenType, fresh: Bool, jti: String,
                iat: Int, nbf: Int, exp: Int, csrf: String?) {
        self.sub = sub; self.type = type; self.fresh = fresh; self.jti = jti
        self.iat = iat; self.nbf = nbf; self.exp = exp; self.csrf = csrf
    }
}

/// Why a token was refused.
public enum JWTError: Error, Equatable, Sendable {
    /// Not three base64url segments of JSON objects, or a claim of the wrong JSON type.
    case malformed
    /// The header's `alg` is missing or is not exactly `HS256`.
    case unsupportedAlgorithm
    /// The HMAC does not match (tampered, or another key).
    case badSignature
    /// `exp` is now or in the past.
    case expired
    /// `nbf` is in the future.
    case notYetValid
    /// A required claim is absent.
    case missingClaim(String)
    /// `type` is neither `access` nor `refresh`, or not the kind the caller needs.
    case wrongType
}
