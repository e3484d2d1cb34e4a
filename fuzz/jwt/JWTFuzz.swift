// libFuzzer target: the JWT decoder (Sources/AppCore/Auth/JWT*.swift) and the base64url
// codec under it (Sources/ServerCore/Crypto). Built and run by scripts/fuzz.
@testable import AppCore
@testable import ServerCore

let secret = "fuzz-secret"
let codec = JWTCodec(secret: secret)
let now = 1_700_000_000

/// What verified claims always satisfy, at `now`.
func check(_ claims: JWTClaims) {
    invariant(claims.exp > now, "accepted an expired token (exp \(claims.exp))")
    invariant(claims.nbf <= now && claims.iat <= now, "accepted a token from the future (nbf \(claims.nbf), iat \(claims.iat))")
}

/// A token over `payload` (any bytes) with a correct HS256 signature, so verification
/// gets past the signature to the claims.
func signed(payload: [UInt8]) -> String {
    let input = JWTCodec.headerSegment + "." + Digest.base64URLEncode(payload)
    return input + "." + Digest.base64URLEncode(Digest.hmacSHA256(key: Array(secret.utf8), data: Array(input.utf8)))
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJWT(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    let text = String(decoding: input, as: UTF8.self)

    // The input as a token: refused, or verified with sane claims. Forging a signature by
    // chance is out of reach, so whatever is accepted must have been signed with the key.
    if let claims = try? codec.verify(text, now: now) { check(claims) }

    // base64url is strict: decoding undoes encoding, and a text that decodes is the one
    // encoding of its bytes.
    invariant(Digest.base64URLDecode(Substring(Digest.base64URLEncode(input))) == input, "base64url round trip")
    if let decoded = Digest.base64URLDecode(Substring(text)) {
        invariant(Digest.base64URLEncode(decoded) == text, "\(text) decodes but is not canonical")
    }

    // The input as the claims of a correctly signed token.
    let token = signed(payload: input)
    let isObject: Bool
    if case .object? = try? JSONValue.parse(input) { isObject = true } else { isObject = false }
    do {
        let claims = try codec.verify(token, now: now)
        invariant(isObject, "accepted claims that are not a JSON object")
        check(claims)
    } catch {
        switch error {
        case .badSignature, .unsupportedAlgorithm:
            invariant(false, "a correctly signed HS256 token refused as \(error)")
        case .malformed, .expired, .notYetValid, .missingClaim, .wrongType:
            break
        }
        if !isObject { invariant(error == .malformed, "claims that are not an object refused as \(error)") }
    }
    // Any change to a signed token's signature is refused.
    var tampered = Array(token.utf8)
    tampered[tampered.count - 1] = tampered[tampered.count - 1] == UInt8(ascii: "A") ? UInt8(ascii: "Q") : UInt8(ascii: "A")
    do {
        _ = try codec.verify(String(decoding: tampered, as: UTF8.self), now: now)
        invariant(false, "a token with a changed signature was accepted")
    } catch {
        invariant(error == .badSignature || error == .malformed, "changed signature refused as \(error)")
    }

    // The input as a subject: an issued token verifies and carries it back.
    let subject = text
    let issued = codec.issue(subject: subject, type: .access, now: now)
    do {
        let claims = try codec.verify(issued, now: now)
        invariant(claims.sub == subject && claims.type == .access && claims.exp == now + 900, "issued claims changed")
    } catch {
        invariant(false, "an issued token was refused: \(error)")
    }
    return 0
}
