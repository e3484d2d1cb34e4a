import XCTest
@testable import AppCore
@testable import PaddockSQL
import ServerCore

final class JWTTests: XCTestCase {
    private let secret = CompatVectors.root["jwt"]!["secret"]!.stringValue!
    private var codec: JWTCodec { JWTCodec(secret: secret) }
    /// When the Python stack issued the vectors (their iat and nbf).
    private let issuedAt = 1_795_543_545

    /// Signs arbitrary header and payload JSON with the vectors' secret.
    private func sign(header: String = #"{"alg":"HS256","typ":"JWT"}"#, _ payload: String, key: String? = nil) -> String {
        let input = Digest.base64URLEncode(Array(header.utf8)) + "." + Digest.base64URLEncode(Array(payload.utf8))
        let mac = Digest.hmacSHA256(key: Array((key ?? secret).utf8), data: Array(input.utf8))
        return input + "." + Digest.base64URLEncode(mac)
    }

    private func assertRejected(_ token: String, _ expected: JWTError, now: Int? = nil,
                                file: StaticString = #filePath, line: UInt = #line) {
        do {
            let claims = try codec.verify(token, now: now ?? issuedAt + 60)
            XCTFail("accepted: \(claims)", file: file, line: line)
        } catch {
            XCTAssertEqual(error, expected, file: file, line: line)
        }
    }

    func testValidPythonTokenIsAccepted() throws {
        let claims = try codec.verify(CompatVectors.jwt("valid_access_token_sub_7_exp_2076"), now: issuedAt + 60)
        XCTAssertEqual(claims, JWTClaims(sub: "7", type: .access, fresh: false,
                                         jti: "70ab48cb-1958-41f6-bab5-678372a5d293",
                                         iat: issuedAt, nbf: issuedAt, exp: 3_372_343_545,
                                         csrf: "10155209-ace6-4278-ad2a-1b940685a79f"))
    }

    func testPythonRejectionVectors() {
        assertRejected(CompatVectors.jwt("expired_access_token"), .expired)
        assertRejected(CompatVectors.jwt("tampered_signature"), .badSignature)
        assertRejected(CompatVectors.jwt("alg_none"), .unsupportedAlgorithm)
        assertRejected(CompatVectors.jwt("signed_with_other_key"), .badSignature)
    }

    func testValidTokenRejectedUnderAnotherSecret() {
        let other = JWTCodec(secret: secret + "x")
        XCTAssertThrowsError(try other.verify(CompatVectors.jwt("valid_access_token_sub_7_exp_2076"), now: issuedAt)) {
            XCTAssertEqual($0 as? JWTError, .badSignature)
        }
    }

    func testNotBeforeAndExpiryBoundariesHaveNoLeeway() {
        let token = CompatVectors.jwt("valid_access_token_sub_7_exp_2076")
        assertRejected(token, .notYetValid, now: issuedAt - 1)
        XCTAssertNoThrow(try codec.verify(token, now: issuedAt))
        XCTAssertNoThrow(try codec.verify(token, now: 3_372_343_544))
        assertRejected(token, .expired, now: 3_372_343_545)
    }

    func testTokenIssuedInTheFutureIsNotYetValid() {
        let claims = #"{"iat":50,"jti":"j","type":"access","sub":"7","nbf":10,"exp":4000000000}"#
        assertRejected(sign(claims), .notYetValid, now: 49)
        XCTAssertNoThrow(try codec.verify(sign(claims), now: 50))
    }

    func testIssuedTokensVerifyWithEveryClaim() throws {
        let now = 1_700_000_000
        let access = codec.issue(subject: "42", type: .access, fresh: true, now: now)
        let a = try codec.verify(access, now: now)
        XCTAssertEqual(a.sub, "42"); XCTAssertEqual(a.type, .access); XCTAssertTrue(a.fresh)
        XCTAssertEqual(a.iat, now); XCTAssertEqual(a.nbf, now); XCTAssertEqual(a.exp, now + 900)
        // The jti is a UUIDv7 naming the issue instant (flask-jwt-extended
        // treats it as opaque); the csrf value stays a uuid4 like Python's.
        XCTAssertTrue(isUUID(a.jti, version: "7"), a.jti)
        XCTAssertEqual(JWTCodec.uuid7Microseconds(a.jti), now * 1_000_000)
        XCTAssertTrue(isUUID4(a.csrf ?? ""), a.csrf ?? "nil")

        let refresh = codec.issue(subject: "42", type: .refresh, now: now)
        let r = try codec.verify(refresh, now: now + 2_591_999)
        XCTAssertEqual(r.type, .refresh); XCTAssertFalse(r.fresh); XCTAssertEqual(r.exp, now + 2_592_000)
        XCTAssertNotEqual(r.jti, a.jti)
        assertRejected(access, .expired, now: now + 900)
        XCTAssertThrowsError(try JWTCodec(secret: "another").verify(access, now: now))
    }

    func testIssuedTokenLayoutMatchesFlaskJWTExtended() throws {
        let token = codec.issue(subject: "7", type: .access, now: issuedAt)
        let segments = token.split(separator: ".")
        XCTAssertEqual(segments.count, 3)
        XCTAssertEqual(segments[0], CompatVectors.jwt("valid_access_token_sub_7_exp_2076").split(separator: ".")[0])
        let payload = String(decoding: try XCTUnwrap(Digest.base64URLDecode(segments[1])), as: UTF8.self)
        let order = ["\"fresh\":", "\"iat\":", "\"jti\":", "\"type\":", "\"sub\":", "\"nbf\":", "\"csrf\":", "\"exp\":"]
        let positions = order.map { payload.range(of: $0)?.lowerBound }
        XCTAssertFalse(positions.contains(nil), payload)
        XCTAssertEqual(positions.compactMap { $0 }, positions.compactMap { $0 }.sorted(), payload)
        XCTAssertTrue(payload.hasPrefix(#"{"fresh":false,"iat":1795543545,"jti":""#), payload)
        XCTAssertTrue(payload.hasSuffix(#","exp":1795544445}"#), payload)
    }

    func testFloatNumericDatesAreTruncatedLikePyJWT() throws {
        let claims = #"{"fresh":false,"iat":100.5,"jti":"j","type":"access","sub":"7","nbf":100.9,"exp":4000000000.75}"#
        let c = try codec.verify(sign(claims), now: 100)
        XCTAssertEqual(c.exp, 4_000_000_000); XCTAssertEqual(c.nbf, 100); XCTAssertEqual(c.iat, 100)
        // int(100.9) == 100 <= now: expired, as in PyJWT.
        assertRejected(sign(#"{"iat":1,"jti":"j","type":"access","sub":"7","nbf":1,"exp":100.9}"#), .expired, now: 100)
    }

    func testHeaderAlgorithmMustBeExactlyHS256() {
        let claims = #"{"iat":1,"jti":"j","type":"access","sub":"7","nbf":1,"exp":4000000000}"#
        XCTAssertNoThrow(try codec.verify(sign(header: #"{"alg":"HS256"}"#, claims), now: 2))
        for header in [#"{"typ":"JWT"}"#, #"{"alg":"none"}"#, #"{"alg":"HS512"}"#, #"{"alg":"hs256"}"#,
                       #"{"alg":"RS256"}"#, #"{"alg":null}"#, #"{"alg":["HS256"]}"#] {
            assertRejected(sign(header: header, claims), .unsupportedAlgorithm, now: 2)
        }
        assertRejected(sign(header: "[]", claims), .malformed, now: 2)
    }

    func testSignatureIsCheckedBeforeClaimsAreParsed() {
        // Garbage claims under a wrong key are a signature failure, not a parse failure.
        assertRejected(sign("not json", key: "wrong"), .badSignature)
        assertRejected(sign("not json"), .malformed)
        assertRejected(sign("[1,2]"), .malformed)
    }

    func testMalformedTokens() {
        let valid = CompatVectors.jwt("valid_access_token_sub_7_exp_2076")
        let s = valid.split(separator: ".").map(String.init)
        for bad in ["", ".", "..", "a.b", "a.b.c.d", s[0] + "." + s[1], valid + ".", valid + "=",
                    s[0] + "." + s[1] + "." + s[2] + "==", s[0] + "==." + s[1] + "." + s[2], "!" + valid] {
            XCTAssertThrowsError(try codec.verify(bad, now: issuedAt), bad)
        }
        assertRejected(s[0] + "." + s[1] + "." + s[2] + "=", .malformed)
        assertRejected(s[0] + "." + s[1] + "+." + s[2], .badSignature)
    }

    func testRequiredClaimsAndTypes() {
        func token(without name: String? = nil, _ overrides: [String: String] = [:]) -> String {
            var claims = ["iat": "1", "jti": "\"j\"", "type": "\"access\"", "sub": "\"7\"", "nbf": "1", "exp": "4000000000"]
            if let name { claims[name] = nil }
            for (k, v) in overrides { claims[k] = v }
            return sign("{" + claims.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}")
        }
        XCTAssertNoThrow(try codec.verify(token(), now: 2))
        for name in ["sub", "type", "jti", "iat", "nbf", "exp"] {
            assertRejected(token(without: name), .missingClaim(name), now: 2)
        }
        assertRejected(token(["sub": "7"]), .malformed, now: 2)
        assertRejected(token(["exp": "\"4000000000\""]), .malformed, now: 2)
        assertRejected(token(["type": "\"id\""]), .wrongType, now: 2)
        assertRejected(token(["type": "1"]), .malformed, now: 2)
        assertRejected(token(["fresh": "\"yes\""]), .malformed, now: 2)
        assertRejected(token(["csrf": "5"]), .malformed, now: 2)
        XCTAssertEqual(try codec.verify(token(["fresh": "10"]), now: 10).fresh, true)
        XCTAssertEqual(try codec.verify(token(["fresh": "10"]), now: 11).fresh, false)
        XCTAssertEqual(try codec.verify(token(["exp": "1e300"]), now: 2).exp > 4_000_000_000, true)
        XCTAssertNil(try codec.verify(token(), now: 2).csrf)
    }

    private func isUUID4(_ s: String) -> Bool { isUUID(s, version: "4") }

    private func isUUID(_ s: String, version: Unicode.Scalar) -> Bool {
        let u = Array(s.utf8)
        guard u.count == 36 else { return false }
        for (i, c) in u.enumerated() {
            if [8, 13, 18, 23].contains(i) { if c != UInt8(ascii: "-") { return false }; continue }
            guard (48...57).contains(c) || (97...102).contains(c) else { return false }
        }
        return u[14] == UInt8(ascii: version) && [UInt8(ascii: "8"), UInt8(ascii: "9"), UInt8(ascii: "a"), UInt8(ascii: "b")].contains(u[19])
    }
}
