import Paddock

extension JWTClaims {
    /// Reads claims from a payload whose signature has already been checked.
    ///
    /// Required, because flask-jwt-extended always writes them: `sub`
    /// (a string, as PyJWT 2.10+ insists), `type`, `jti`, `iat`, `nbf`,
    /// `exp`. Optional: `fresh` (false when absent; a number means "fresh
    /// until then", as flask-jwt-extended allows) and `csrf`.
    init(verifiedPayload payload: JSONValue, now: Int) throws(JWTError) {
        let exp = try Self.numericDate(payload, "exp")
        // PyJWT: expired when exp <= now - leeway, with leeway 0.
        guard exp > now else { throw .expired }
        let nbf = try Self.numericDate(payload, "nbf")
        guard nbf <= now else { throw .notYetValid }
        let iat = try Self.numericDate(payload, "iat")
        // PyJWT 2.x also refuses a token issued in the future.
        guard iat <= now else { throw .notYetValid }

        let sub = try Self.string(payload, "sub")
        guard let type = TokenType(rawValue: try Self.string(payload, "type")) else { throw .wrongType }
        let jti = try Self.string(payload, "jti")

        let fresh: Bool
        switch payload["fresh"] {
        case nil, .null?: fresh = false
        case .bool(let b)?: fresh = b
        case .number(let until)?: fresh = Double(now) <= until
        default: throw .malformed
        }
        let csrf: String?
        switch payload["csrf"] {
        case nil, .null?: csrf = nil
        case .string(let s)?: csrf = s
        default: throw .malformed
        }
        self.init(sub: sub, type: type, fresh: fresh, jti: jti, iat: iat, nbf: nbf, exp: exp, csrf: csrf)
    }

    /// A NumericDate claim; fractions are truncated as PyJWT's `int()` does,
    /// so `"exp": 1700000000.9` is accepted like `1700000000`.
    private static func numericDate(_ payload: JSONValue, _ name: String) throws(JWTError) -> Int {
        guard let value = payload[name], !value.isNull else { throw .missingClaim(name) }
        guard case .number(let d) = value else { throw .malformed }
        // Python ints are unbounded; clamp instead of trapping on huge values.
        if d >= 9.0e18 { return Int(9.0e18) }
        if d <= -9.0e18 { return Int(-9.0e18) }
        return Int(d)
    }

    private static func string(_ payload: JSONValue, _ name: String) throws(JWTError) -> String {
        guard let value = payload[name], !value.isNull else { throw .missingClaim(name) }
        guard case .string(let s) = value else { throw .malformed }
        return s
    }
}
