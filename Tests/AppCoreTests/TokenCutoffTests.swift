import XCTest
@testable import AppCore
@testable import PaddockSQL

/// The rule that ends tokens at a password change, a deletion, or an
/// account's creation, at its boundaries (pure: no clock, no database).
final class TokenCutoffTests: XCTestCase {
    let second = 1_796_000_000

    func claims(iat: Int, jti: String) -> JWTClaims {
        JWTClaims(sub: "1", type: .access, fresh: false, jti: jti, iat: iat, nbf: iat, exp: iat + 900, csrf: nil)
    }

    func testJTICarriesTheIssueMicrosecond() {
        for offset in [0, 1, 2, 243, 244, 245, 999, 1000, 499_999, 999_998, 999_999] {
            let us = second * 1_000_000 + offset
            let jti = JWTCodec.uuid7(microseconds: us)
            XCTAssertEqual(JWTCodec.uuid7Microseconds(jti), us, jti)
            XCTAssertEqual(Array(jti.utf8)[14], UInt8(ascii: "7"), jti)
            XCTAssertTrue("89ab".utf8.contains(Array(jti.utf8)[19]), jti)
        }
        // Random apart from the time: two at the same instant differ.
        XCTAssertNotEqual(JWTCodec.uuid7(microseconds: second * 1_000_000), JWTCodec.uuid7(microseconds: second * 1_000_000))
        // Later instants sort later, as text too.
        XCTAssertLessThan(JWTCodec.uuid7(microseconds: second * 1_000_000 + 1), JWTCodec.uuid7(microseconds: second * 1_000_000 + 2))
    }

    func testOtherJTIsCarryNoTime() {
        for jti in [JWTCodec.uuid4(), "cfed9479-d4f0-4d0d-ae07-576159af629b", "j", "",
                    "018bcfe5-6800-7000-98e5-0625432a194", "018BCFE5-6800-7000-98E5-0625432A1949",
                    "018bcfe5-6800-7000-c8e5-0625432a1949", "018bcfe5x6800-7000-98e5-0625432a1949"] {
            XCTAssertNil(JWTCodec.uuid7Microseconds(jti), jti)
        }
        XCTAssertNotNil(JWTCodec.uuid7Microseconds("018bcfe5-6800-7000-98e5-0625432a1949"))
    }

    func testIssueInstant() {
        let exact = second * 1_000_000 + 123_456
        XCTAssertEqual(TokenIssueInstant(claims(iat: second, jti: JWTCodec.uuid7(microseconds: exact))),
                       TokenIssueInstant(earliest: exact, latest: exact))
        // flask-jwt-extended's uuid4: anywhere in the iat second.
        let whole = TokenIssueInstant(earliest: second * 1_000_000, latest: second * 1_000_000 + 999_999)
        XCTAssertEqual(TokenIssueInstant(claims(iat: second, jti: JWTCodec.uuid4())), whole)
        // A jti time outside the iat second is not believed.
        XCTAssertEqual(TokenIssueInstant(claims(iat: second, jti: JWTCodec.uuid7(microseconds: exact + 1_000_000))), whole)
        XCTAssertEqual(TokenIssueInstant(claims(iat: -9_000_000_000_000_000_000, jti: "j")).latest, .min)
    }

    func testRevocationBoundary() {
        // The password changed half way through `second`.
        let change = second * 1_000_000 + 500_000
        let cutoff = TokenCutoff(validAfter: change, accountCreated: nil)
        func exact(_ us: Int) -> TokenIssueInstant { TokenIssueInstant(earliest: us, latest: us) }
        XCTAssertFalse(cutoff.admits(exact(change - 1)), "issued just before the change")
        XCTAssertTrue(cutoff.admits(exact(change)))
        XCTAssertTrue(cutoff.admits(exact(change + 1)), "issued just after, in the same second")
        // Known only to the second: the same second might be before the change.
        XCTAssertFalse(cutoff.admits(TokenIssueInstant(claims(iat: second, jti: JWTCodec.uuid4()))))
        XCTAssertTrue(cutoff.admits(TokenIssueInstant(claims(iat: second + 1, jti: JWTCodec.uuid4()))))
        XCTAssertFalse(cutoff.admits(TokenIssueInstant(claims(iat: second - 1, jti: JWTCodec.uuid4()))))
        // A change exactly on a second boundary admits that whole second.
        XCTAssertTrue(TokenCutoff(validAfter: second * 1_000_000, accountCreated: nil)
            .admits(TokenIssueInstant(claims(iat: second, jti: JWTCodec.uuid4()))))
    }

    func testAccountCreationBoundary() {
        let created = second * 1_000_000 + 500_000
        let cutoff = TokenCutoff(validAfter: nil, accountCreated: created)
        XCTAssertFalse(cutoff.admits(TokenIssueInstant(earliest: created - 1, latest: created - 1)), "an earlier holder of the id")
        XCTAssertTrue(cutoff.admits(TokenIssueInstant(earliest: created, latest: created)))
        // Known only to the second: a Flask login right after registering still works.
        XCTAssertTrue(cutoff.admits(TokenIssueInstant(claims(iat: second, jti: JWTCodec.uuid4()))))
        XCTAssertFalse(cutoff.admits(TokenIssueInstant(claims(iat: second - 1, jti: JWTCodec.uuid4()))))
        XCTAssertTrue(TokenCutoff(validAfter: nil, accountCreated: nil).admits(TokenIssueInstant(earliest: 0, latest: 0)))
        // Both recorded: both must hold.
        let both = TokenCutoff(validAfter: created + 10, accountCreated: created)
        XCTAssertFalse(both.admits(TokenIssueInstant(earliest: created + 5, latest: created + 5)))
        XCTAssertTrue(both.admits(TokenIssueInstant(earliest: created + 10, latest: created + 10)))
    }
}
