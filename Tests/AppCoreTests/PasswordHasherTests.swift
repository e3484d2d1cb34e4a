import XCTest
import AppCore

final class PasswordHasherTests: XCTestCase {
    private let hasher = PasswordHasher()

    func testEveryCompatVector() {
        let vectors = CompatVectors.passwords
        XCTAssertEqual(vectors.count, 10)
        XCTAssertTrue(vectors.contains { $0.valid } && vectors.contains { !$0.valid })
        for v in vectors {
            XCTAssertEqual(hasher.verify(v.password, against: v.hash), v.valid, "\(v.password) / \(v.hash)")
        }
    }

    func testNewHashHasWerkzeugFormatAndVerifies() {
        let stored = hasher.hash("password123")
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        XCTAssertEqual(parts.count, 3)
        XCTAssertEqual(parts[0], "scrypt:32768:8:1")
        XCTAssertEqual(parts[1].count, 16)
        XCTAssertTrue(parts[1].unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) })
        XCTAssertEqual(parts[2].count, 128)
        XCTAssertTrue(parts[2].unicodeScalars.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) })
        XCTAssertTrue(hasher.verify("password123", against: stored))
        XCTAssertFalse(hasher.verify("password124", against: stored))
    }

    func testUnmatchableHashHasTheConfiguredCostAndMatchesNothing() throws {
        let hasher = PasswordHasher(scryptN: 1024)
        let hash = hasher.unmatchableHash()
        let parts = hash.split(separator: "$")
        XCTAssertEqual(parts.count, 3)
        XCTAssertEqual(parts[0], "scrypt:1024:8:1", "checked at the configured cost")
        XCTAssertEqual(parts[2].count, 128)
        XCTAssertNotEqual(hash, hasher.unmatchableHash(), "fresh salt and key each time")
        for password in ["", "password123", String(parts[1]), String(parts[2])] {
            XCTAssertFalse(hasher.verify(password, against: hash))
        }
    }

    func testConfigurableCostAndFreshSalts() {
        let cheap = PasswordHasher(scryptN: 1024, r: 8, p: 2)
        let a = cheap.hash("ünïcødé"), b = cheap.hash("ünïcødé")
        XCTAssertTrue(a.hasPrefix("scrypt:1024:8:2$"))
        XCTAssertNotEqual(a, b, "each hash gets its own salt")
        XCTAssertTrue(cheap.verify("ünïcødé", against: a))
        // Any hasher verifies any supported parameters: they come from the row.
        XCTAssertTrue(hasher.verify("ünïcødé", against: b))
        XCTAssertFalse(hasher.verify("unicode", against: b))
        XCTAssertTrue(cheap.verify("", against: cheap.hash("")))
    }

    /// Werkzeug's check_password_hash fills in omitted parameters (scrypt
    /// 2^15:8:1; pbkdf2 sha256 with 1,000,000 iterations), though
    /// generate_password_hash always writes them.
    func testOmittedParametersUseWerkzeugDefaults() {
        let scrypt = CompatVectors.passwords[0]
        XCTAssertTrue(hasher.verify(scrypt.password, against: scrypt.hash.replacingOccurrences(of: "scrypt:32768:8:1$", with: "scrypt$")))
        let pbkdf2 = CompatVectors.passwords[4]
        XCTAssertTrue(pbkdf2.hash.hasPrefix("pbkdf2:sha256:1000000$"))
        XCTAssertTrue(hasher.verify(pbkdf2.password, against: pbkdf2.hash.replacingOccurrences(of: "pbkdf2:sha256:1000000$", with: "pbkdf2:sha256$")))
        XCTAssertTrue(hasher.verify(pbkdf2.password, against: pbkdf2.hash.replacingOccurrences(of: "pbkdf2:sha256:1000000$", with: "pbkdf2$")))
    }

    func testMalformedUnknownAndOutOfBoundsHashesAreRejected() {
        let good = CompatVectors.passwords[6]   // pbkdf2:sha256:1000, cheap
        XCTAssertTrue(hasher.verify(good.password, against: good.hash))
        let tail = String(good.hash.drop { $0 != "$" })   // "$salt$hex"
        let hex = String(good.hash.split(separator: "$")[2])
        let salt = String(good.hash.split(separator: "$")[1])
        let whole: [String] = [
            "", "$$", "plain", "pbkdf2:sha256:1000$\(salt)", "pbkdf2:sha256:1000",
            "pbkdf2:sha256:1000$\(salt)$\(hex.uppercased())",
            "pbkdf2:sha256:1000$\(salt)$\(hex)00",
            "pbkdf2:sha256:1000$\(salt)x$\(hex)",
        ]
        let methods: [String] = [
            "pbkdf2:sha512:1000", "pbkdf2:md5:1000", "pbkdf2:sha256:1000:1",
            "pbkdf2:sha256:0", "pbkdf2:sha256:-1000", "pbkdf2:sha256:+1000",
            "pbkdf2:sha256: 1000", "pbkdf2:sha256:1e3", "pbkdf2:sha256:",
            "pbkdf2:sha256:100000000", "pbkdf2:sha256:99999999999999999999",
            "md5", "bcrypt", "PBKDF2:sha256:1000",
            "scrypt:32768:8", "scrypt:32768:8:1:1", "scrypt:32767:8:1",
            "scrypt:1:8:1", "scrypt:0:8:1", "scrypt:2097152:8:1",
            "scrypt:1048576:16:1", "scrypt:2048:8:1024", "scrypt:262144:32:2", "scrypt:32768:0:1", "scrypt:32768:8:0",
            "scrypt:32768:64:1", "scrypt:32768:8:17",
        ]
        let bad = whole + methods.map { $0 + tail }
        for stored in bad {
            XCTAssertFalse(hasher.verify(good.password, against: stored), stored)
        }
    }

    /// Every cost the password_scrypt_n setting allows (1024...2^20, r=8)
    /// must be within the bounds applied to stored hashes, or a worker
    /// configured at the top of the range would stop in init (a crash here).
    /// Hashing at 2^20 would take seconds and 1 GiB, so only init is run.
    func testLargestConfigurableCostIsWithinVerifyBounds() {
        _ = PasswordHasher(scryptN: 1_048_576)
        _ = PasswordHasher(scryptN: 1024)
    }

    /// Prints the cost of one default verification; not an assertion, since
    /// it depends on the machine.
    func testMeasureDefaultScryptVerification() {
        let stored = CompatVectors.passwords[0]
        let clock = ContinuousClock()
        let rounds = 5
        var ok = true
        let elapsed = clock.measure {
            for _ in 0..<rounds { ok = hasher.verify(stored.password, against: stored.hash) && ok }
        }
        XCTAssertTrue(ok)
        let perCall = elapsed / rounds
        print("scrypt N=32768 r=8 p=1 verification: \(perCall) each (\(rounds) in \(elapsed))")
    }
}
