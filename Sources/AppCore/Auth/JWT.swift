import Paddock

/// Issues and verifies HS256 tokens compatible with flask-jwt-extended 4.x
/// (PyJWT underneath), so tokens from either server are accepted by both.
public struct JWTCodec: Sendable {
    private let key: [UInt8]
    /// Access-token lifetime (`jwt_access_token_expires`; flask-jwt-extended: 15 minutes).
    public let accessLifetime: Duration
    /// Refresh-token lifetime (`jwt_refresh_token_expires`; flask-jwt-extended: 30 days).
    public let refreshLifetime: Duration

    /// `{"alg":"HS256","typ":"JWT"}`, byte for byte what PyJWT writes.
    static let headerSegment = Digest.base64URLEncode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))

    /// Creates a codec keyed with `secret` (`JWT_SECRET_KEY`, used as UTF-8).
    /// The lifetimes default to the settings' defaults.
    public init(secret: String, accessLifetime: Duration = Settings.jwtAccessTokenExpires.defaultValue,
                refreshLifetime: Duration = Settings.jwtRefreshTokenExpires.defaultValue) {
        self.key = Array(secret.utf8)
        self.accessLifetime = accessLifetime
        self.refreshLifetime = refreshLifetime
    }

    /// A signed token for `subject` issued at the start of second `now`
    /// (seconds since the epoch).
    public func issue(subject: String, type: TokenType, fresh: Bool = false, now: Int) -> String {
        issue(subject: subject, type: type, fresh: fresh, nowMicroseconds: now * 1_000_000)
    }

    /// A signed token for `subject`, with claims in flask-jwt-extended's
    /// order: fresh, iat, jti, type, sub, nbf, csrf, exp. `iat` is the whole
    /// second, as PyJWT writes it; the `jti` is a UUIDv7 that carries the
    /// microsecond, so a token can be told from one issued earlier in the
    /// same second (see `TokenIssueInstant`).
    public func issue(subject: String, type: TokenType, fresh: Bool = false, nowMicroseconds: Int) -> String {
        let now = nowMicroseconds / 1_000_000
        let lifetime = type == .access ? accessLifetime : refreshLifetime
        var claims = JSONWriter(capacity: 256)
        claims.beginObject()
        claims.field("fresh", fresh)
        claims.field("iat", now)
        claims.field("jti", Self.uuid7(microseconds: nowMicroseconds))
        claims.field("type", type.rawValue)
        claims.field("sub", subject)
        claims.field("nbf", now)
        claims.field("csrf", Self.uuid4())
        // Like Python's timegm(now + timedelta): whole seconds, rounded down.
        claims.field("exp", now + Int(lifetime.components.seconds))
        claims.endObject()
        let signingInput = Self.headerSegment + "." + Digest.base64URLEncode(claims.bytes)
        let signature = Digest.hmacSHA256(key: key, data: Array(signingInput.utf8))
        return signingInput + "." + Digest.base64URLEncode(signature)
    }

    /// Checks `token` and returns its claims.
    ///
    /// Order matters: the header's `alg` must be exactly `HS256` (no `none`,
    /// no other algorithm, no missing `alg`), then the signature is compared
    /// in constant time before any claim is parsed, then `exp` and `nbf` are
    /// checked against `now` with no leeway, as PyJWT does by default.
    public func verify(_ token: String, now: Int) throws(JWTError) -> JWTClaims {
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3 else { throw .malformed }
        let header = try Self.decodeObject(segments[0])
        guard case .string(let alg)? = header["alg"], alg == "HS256" else { throw .unsupportedAlgorithm }
        guard let signature = Digest.base64URLDecode(segments[2]) else { throw .malformed }
        let signingInput = Array(token.utf8.prefix(segments[0].utf8.count + 1 + segments[1].utf8.count))
        let expected = Digest.hmacSHA256(key: key, data: signingInput)
        guard Digest.constantTimeEquals(expected, signature) else { throw .badSignature }
        return try JWTClaims(verifiedPayload: try Self.decodeObject(segments[1]), now: now)
    }

    static func decodeObject(_ segment: Substring) throws(JWTError) -> JSONValue {
        guard let bytes = Digest.base64URLDecode(segment) else { throw .malformed }
        let value: JSONValue
        do { value = try JSONValue.parse(bytes) } catch { throw .malformed }
        guard case .object = value else { throw .malformed }
        return value
    }

    /// Random (version 4) UUID text, as Python's `str(uuid.uuid4())`.
    static func uuid4() -> String {
        var b = Digest.randomBytes(16)
        b[6] = b[6] & 0x0F | 0x40
        b[8] = b[8] & 0x3F | 0x80
        return uuidText(b)
    }

    /// Lower-case 8-4-4-4-12 text of 16 bytes.
    static func uuidText(_ b: [UInt8]) -> String {
        let hex = Array(Digest.hex(b).utf8)
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (i, c) in hex.enumerated() {
            if i == 8 || i == 12 || i == 16 || i == 20 { text.append(UInt8(ascii: "-")) }
            text.append(c)
        }
        return String(decoding: text, as: UTF8.self)
    }
}
