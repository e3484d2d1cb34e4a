import XCTest
import ServerCore
@testable import AppCore
@testable import PaddockSQL

/// Account and token safety: ids are never handed out twice, tokens die
/// with a password change or the account, passwords have a size cap, and
/// token subjects and path ids outside the id column's range are refused
/// cleanly.
extension APIContractSuite {
    /// Asserts that `token` no longer works anywhere a token is taken.
    func assertRevoked(access: String, refresh: String, id: Int, _ label: String,
                       file: StaticString = #filePath, line: UInt = #line) {
        assertError(app.send("GET", "/auth/me", token: access), 401, "unauthorized", file: file, line: line)
        assertError(app.send("POST", "/auth/refresh", token: refresh), 401, "unauthorized", file: file, line: line)
        assertError(app.send("PUT", "/api/users/\(id)", json: jsonBody(["password": "taken-over-1"]), token: access),
                    401, "unauthorized", file: file, line: line)
        assertError(app.send("POST", "/api/posts", json: jsonBody(["title": "t", "content": "c"]), token: access),
                    401, "unauthorized", file: file, line: line)
        assertError(app.send("DELETE", "/api/users/\(id)", token: access), 401, "unauthorized", file: file, line: line)
    }

    func checkIdsAreNeverReused() {
        let ann = user("ann@example.com")
        let post = createPost(ann.access)
        XCTAssertEqual(app.send("DELETE", "/api/posts/\(post)", token: ann.access).status, 204)
        XCTAssertGreaterThan(createPost(ann.access), post, "a deleted post's id is not handed out again")
        XCTAssertEqual(app.send("DELETE", "/api/users/\(ann.id)", token: ann.access).status, 204)
        let bob = register("bob@example.com")
        XCTAssertGreaterThan(bob, ann.id, "a deleted user's id is not handed out again")
        // Ann's tokens never act as Bob.
        assertRevoked(access: ann.access, refresh: ann.refresh, id: ann.id, "ann")
        XCTAssertEqual(app.send("GET", "/api/users/\(bob)")["email"]?.stringValue, "bob@example.com")
    }

    func checkPasswordChangeRevokesEarlierTokens() {
        let ann = user("ann@example.com")
        let refreshed = app.send("POST", "/auth/refresh", token: ann.refresh)["access_token"]?.stringValue ?? ""
        // A change of name or address keeps the tokens.
        XCTAssertEqual(app.send("PUT", "/api/users/\(ann.id)", json: jsonBody(["name": "Annie"]), token: ann.access).status, 200)
        XCTAssertEqual(app.send("GET", "/auth/me", token: ann.access).status, 200)

        let change = app.send("PUT", "/api/users/\(ann.id)", json: jsonBody(["password": "new-password"]), token: ann.access)
        XCTAssertEqual(change.status, 200, change.text)
        assertRevoked(access: ann.access, refresh: ann.refresh, id: ann.id, "before the change")
        assertError(app.send("GET", "/auth/me", token: refreshed), 401, "unauthorized")
        assertError(app.send("POST", "/auth/login", json: jsonBody(["email": "ann@example.com", "password": "password123"])),
                    401, "unauthorized")

        // Tokens from a login right after the change (same second) work.
        let t = login("ann@example.com", password: "new-password")
        let me = app.send("GET", "/auth/me", token: t.access)
        XCTAssertEqual(me.status, 200, me.text)
        XCTAssertEqual(me["name"]?.stringValue, "Annie")
        let r = app.send("POST", "/auth/refresh", token: t.refresh)
        XCTAssertEqual(r.status, 200, r.text)
        XCTAssertEqual(app.send("GET", "/auth/me", token: r["access_token"]?.stringValue).status, 200)
        XCTAssertEqual(createPost(t.access) > 0, true)
    }

    /// A database that hands a deleted user's id to the next account (the
    /// Flask application's SQLite schema has no AUTOINCREMENT): the earlier
    /// holder's tokens must not act as the new one.
    func checkDeletedUsersTokensNeverActAsTheNextHolderOfTheId() throws {
        let ann = user("ann@example.com")
        XCTAssertEqual(app.send("DELETE", "/api/users/\(ann.id)", token: ann.access).status, 204)
        let insert = SQLStatement("reuse_id", """
            INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES ($1, $2, 'Bob', $3, $4, $4)
            """)
        try app.db.execute(insert, [.int(ann.id), .text("bob@example.com"), .text(app.hasher.hash("password123")),
                                    .text(DatabaseTimestamp.now())])
        assertRevoked(access: ann.access, refresh: ann.refresh, id: ann.id, "ann")
        XCTAssertEqual(app.send("GET", "/api/users/\(ann.id)")["email"]?.stringValue, "bob@example.com")
        // The new holder of the id logs in and works as usual.
        let bob = login("bob@example.com")
        let me = app.send("GET", "/auth/me", token: bob.access)
        XCTAssertEqual(me["email"]?.stringValue, "bob@example.com", me.text)
        XCTAssertEqual(app.send("POST", "/auth/refresh", token: bob.refresh).status, 200)
    }

    func checkPasswordLengthIsCapped() {
        let limit = String(repeating: "p", count: 1024)
        XCTAssertEqual(app.send("POST", "/auth/register", json: jsonBody(["email": "ann@example.com", "name": "Ann", "password": limit])).status, 201)
        _ = login("ann@example.com", password: limit)
        for long in [limit + "p", String(repeating: "é", count: 513), String(repeating: "x", count: 1 << 20)] {
            assertError(app.send("POST", "/auth/register", json: jsonBody(["email": "bob@example.com", "name": "Bob", "password": long])),
                        400, "bad_request", mentioning: "password")
            assertError(app.send("POST", "/auth/login", json: jsonBody(["email": "ann@example.com", "password": long])),
                        400, "bad_request", mentioning: "password")
            assertError(app.send("POST", "/auth/login", json: jsonBody(["email": "nobody@example.com", "password": long])),
                        400, "bad_request", mentioning: "password")
        }
        let ann = login("ann@example.com", password: limit)
        let id = app.send("GET", "/auth/me", token: ann.access)["id"]?.testInt ?? -1
        assertError(app.send("PUT", "/api/users/\(id)", json: jsonBody(["password": limit + "p"]), token: ann.access),
                    400, "bad_request", mentioning: "password")
        XCTAssertEqual(app.send("GET", "/api/users")["total"]?.testInt, 1)
    }

    func checkTokenSubjectMustBeCanonical() {
        let ann = user("ann@example.com")
        let post = createPost(ann.access)
        XCTAssertEqual(ann.id, 1, "the subjects below name id 1")
        for sub in ["01", "+1", " 1", "1 ", "1.0", "1e0", "0x1", "", "-1", "１", "99999999999", "2147483648", "9223372036854775808"] {
            let access = app.tokens.issue(subject: sub, type: .access, now: app.now)
            let refresh = app.tokens.issue(subject: sub, type: .refresh, now: app.now)
            for r in [app.send("GET", "/auth/me", token: access),
                      app.send("POST", "/auth/refresh", token: refresh),
                      app.send("POST", "/api/posts", json: jsonBody(["title": "t", "content": "c"]), token: access),
                      app.send("PUT", "/api/users/1", json: jsonBody(["name": "X"]), token: access),
                      app.send("PUT", "/api/posts/\(post)", json: jsonBody(["title": "X"]), token: access),
                      app.send("DELETE", "/api/posts/\(post)", token: access),
                      app.send("DELETE", "/api/users/1", token: access)] {
                assertError(r, 401, "unauthorized")
                XCTAssertEqual(r["message"]?.stringValue, "Invalid token", "sub \(sub.debugDescription): \(r.text)")
            }
        }
        XCTAssertEqual(app.send("GET", "/api/users/1")["name"]?.stringValue, "User")
        XCTAssertEqual(app.send("GET", "/api/posts/\(post)").status, 200)
        XCTAssertFalse(log.contains(" error "), log)
    }

    func checkOutOfRangeIdsAreNotFound() {
        let ann = user("ann@example.com")
        for id in ["2147483648", "99999999999", "9223372036854775807", "99999999999999999999", "0"] {
            assertError(app.send("GET", "/api/users/\(id)"), 404, "not_found")
            assertError(app.send("GET", "/api/users/\(id)/posts"), 404, "not_found")
            assertError(app.send("PUT", "/api/users/\(id)", json: jsonBody(["name": "X"]), token: ann.access), 404, "not_found")
            assertError(app.send("DELETE", "/api/users/\(id)", token: ann.access), 404, "not_found")
            assertError(app.send("GET", "/api/posts/\(id)"), 404, "not_found")
            assertError(app.send("PUT", "/api/posts/\(id)", json: jsonBody(["title": "X"]), token: ann.access), 404, "not_found")
            assertError(app.send("DELETE", "/api/posts/\(id)", token: ann.access), 404, "not_found")
        }
        XCTAssertEqual(app.send("GET", "/api/users/2147483647").status, 404)
        XCTAssertFalse(log.contains(" error "), log)
    }
}

extension APIContractSuite {
    /// A token as flask-jwt-extended issues it: iat in whole seconds, a
    /// random uuid4 jti, signed with the test configuration's key.
    func flaskToken(sub: Int, type: TokenType, iat: Int) -> String {
        let lifetime = type == .access ? 900 : 2_592_000
        let payload = #"{"fresh":false,"iat":\#(iat),"jti":"\#(JWTCodec.uuid4())","type":"\#(type.rawValue)","sub":"\#(sub)","nbf":\#(iat),"csrf":"\#(JWTCodec.uuid4())","exp":\#(iat + lifetime)}"#
        let input = JWTCodec.headerSegment + "." + Digest.base64URLEncode(Array(payload.utf8))
        return input + "." + Digest.base64URLEncode(Digest.hmacSHA256(key: Array("test-secret-key".utf8), data: Array(input.utf8)))
    }

    /// Tokens the Flask application issued keep working until an event
    /// here ends them, under the same rules, with their second-only `iat`.
    func checkFlaskIssuedTokensFollowTheSameRules() throws {
        let r = app.send("POST", "/auth/register", json: jsonBody(["email": "bob@example.com", "name": "Bob", "password": "password123"]))
        let bob = try XCTUnwrap(r["id"]?.testInt)
        let created = try XCTUnwrap(DatabaseTimestamp.microseconds(r["created_at"]?.stringValue ?? ""))
        // Issued right after registering (the same second or a later one): works.
        XCTAssertEqual(app.send("GET", "/auth/me", token: flaskToken(sub: bob, type: .access, iat: app.now)).status, 200)
        // Issued before the account existed: an earlier holder of the id.
        assertError(app.send("GET", "/auth/me", token: flaskToken(sub: bob, type: .access, iat: created / 1_000_000 - 2)),
                    401, "unauthorized")

        // An account made long ago, with tokens from a few seconds back.
        let ann = register("ann@example.com")
        try app.db.execute(SQLStatement("age_account", "UPDATE users SET created_at = $2 WHERE id = $1"),
                           [.int(ann), .text("2024-01-01 00:00:00.000000+00:00")])
        let access = flaskToken(sub: ann, type: .access, iat: app.now - 2)
        let refresh = flaskToken(sub: ann, type: .refresh, iat: app.now - 2)
        XCTAssertEqual(app.send("GET", "/auth/me", token: access).status, 200)
        XCTAssertEqual(app.send("POST", "/auth/refresh", token: refresh).status, 200)
        let t = login("ann@example.com")
        XCTAssertEqual(app.send("PUT", "/api/users/\(ann)", json: jsonBody(["password": "new-password"]), token: t.access).status, 200)
        assertRevoked(access: access, refresh: refresh, id: ann, "flask tokens from before the change")
        XCTAssertEqual(app.send("GET", "/api/users/\(bob)")["name"]?.stringValue, "Bob")
    }
}

extension APIContractSuite {
    /// A login or refresh that checked the password just before it changed
    /// (on another worker) issues nothing; one after the change issues
    /// tokens later than its cut-off.
    func checkNoTokensAreIssuedAgainstAPasswordThatJustChanged() throws {
        let ann = user("ann@example.com")
        func row() throws -> User { try User(row: try XCTUnwrap(try app.db.queryOne(Queries.userByID, [.int(ann.id)]))) }
        let stale = try row()
        XCTAssertNotNil(try app.issueInstant(for: stale))
        XCTAssertEqual(app.send("PUT", "/api/users/\(ann.id)", json: jsonBody(["password": "new-password"]), token: ann.access).status, 200)
        XCTAssertNil(try app.issueInstant(for: stale))

        let current = try row()
        let instant = try XCTUnwrap(try app.issueInstant(for: current))
        let cutoff = try XCTUnwrap(try app.db.queryOne(SQLStatement("cutoff", "SELECT valid_after_us FROM token_validity WHERE user_id = $1"),
                                                       [.int(ann.id)])?.int(0))
        XCTAssertGreaterThanOrEqual(instant, cutoff)
        let fresh = login("ann@example.com", password: "new-password")
        XCTAssertEqual(app.send("DELETE", "/api/users/\(ann.id)", token: fresh.access).status, 204)
        XCTAssertNil(try app.issueInstant(for: current))
    }
}
