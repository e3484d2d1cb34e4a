import XCTest
@testable import AppCore
@testable import PaddockSQL

extension APIContractSuite {
    func checkRegisterReturnsUserWithoutPasswordHash() {
        let r = app.send("POST", "/auth/register", json: jsonBody(["email": "ann@example.com", "name": "Ann", "password": "password123"]))
        XCTAssertEqual(r.status, 201, r.text)
        guard case .object(let fields) = r.json else { return XCTFail(r.text) }
        XCTAssertEqual(Set(fields.keys), ["id", "email", "name", "created_at", "updated_at"])
        XCTAssertEqual(r["email"]?.stringValue, "ann@example.com")
        XCTAssertEqual(r["name"]?.stringValue, "Ann")
        XCTAssertNotNil(r["id"]?.testInt)
        let created = r["created_at"]?.stringValue ?? ""
        XCTAssertTrue(created.hasSuffix("+00:00") && created.dropFirst(10).first == "T", created)
        XCTAssertEqual(r["created_at"], r["updated_at"])
    }

    func checkRegisterDuplicateEmailIsConflict() {
        register("ann@example.com")
        let r = app.send("POST", "/auth/register", json: jsonBody(["email": "ann@example.com", "name": "Other", "password": "password123"]))
        assertError(r, 409, "conflict")
        // Addresses are compared after trimming and lower-casing.
        let r2 = app.send("POST", "/auth/register", json: jsonBody(["email": " ANN@example.com", "name": "Other", "password": "password123"]))
        assertError(r2, 409, "conflict")
    }

    func checkRegisterValidation() {
        let cases: [(String, String)] = [
            (#"{"name":"Ann","password":"password123"}"#, "email"),
            (#"{"email":"ann@example.com","password":"password123"}"#, "name"),
            (#"{"email":"ann@example.com","name":"Ann"}"#, "password"),
            (#"{"email":"not-an-address","name":"Ann","password":"password123"}"#, "email"),
            (#"{"email":"ann@localhost","name":"Ann","password":"password123"}"#, "email"),
            (#"{"email":"ann@example.com","name":"Ann","password":"short"}"#, "password"),
            (#"{"email":"ann@example.com","name":"   ","password":"password123"}"#, "name"),
            (#"{"email":"ann@example.com","name":"\#(String(repeating: "n", count: 101))","password":"password123"}"#, "name"),
            (#"{"email":"ann@example.com","name":5,"password":"password123"}"#, "name"),
            (#"{"email":["ann@example.com"],"name":"Ann","password":"password123"}"#, "email"),
            (#"{"email":"ann@example.com","name":null,"password":"password123"}"#, "name"),
            (#"{"email":"ann@example.com","name":"A\u0000B","password":"password123"}"#, "name"),
        ]
        for (body, field) in cases {
            assertError(app.send("POST", "/auth/register", json: body), 400, "bad_request", mentioning: field)
        }
        for body in ["", "{", "[1,2]", "\"text\"", "{\"email\": }"] {
            assertError(app.send("POST", "/auth/register", json: body), 400, "bad_request")
        }
        // Nothing was stored.
        XCTAssertEqual(app.send("GET", "/api/users")["total"]?.testInt, 0)
    }

    func checkRegisterAcceptsLimitsAndIgnoresUnknownFields() {
        let name = String(repeating: "é", count: 100)
        let r = app.send("POST", "/auth/register",
                         json: #"{"email":"ann@example.com","name":"\#(name)","password":"12345678","admin":true,"id":99}"#)
        XCTAssertEqual(r.status, 201, r.text)
        XCTAssertEqual(r["name"]?.stringValue, name)
        XCTAssertNotEqual(r["id"]?.testInt, 99)
    }

    func checkLoginReturnsTokensAndUser() {
        let id = register()
        let r = app.send("POST", "/auth/login", json: jsonBody(["email": "ann@example.com", "password": "password123"]))
        XCTAssertEqual(r.status, 200, r.text)
        XCTAssertEqual(r["token_type"]?.stringValue, "Bearer")
        XCTAssertFalse((r["access_token"]?.stringValue ?? "").isEmpty)
        XCTAssertFalse((r["refresh_token"]?.stringValue ?? "").isEmpty)
        XCTAssertEqual(r["user"]?["id"]?.testInt, id)
        XCTAssertNil(r["user"]?["password_hash"])
        let claims = try? app.tokens.verify(r["access_token"]?.stringValue ?? "", now: app.now)
        XCTAssertEqual(claims?.sub, String(id))
        XCTAssertEqual(claims?.type, .access)
    }

    func checkLoginFailures() {
        register()
        assertError(app.send("POST", "/auth/login", json: jsonBody(["email": "ann@example.com", "password": "wrong-password"])), 401, "unauthorized")
        assertError(app.send("POST", "/auth/login", json: jsonBody(["email": "bob@example.com", "password": "password123"])), 401, "unauthorized")
        assertError(app.send("POST", "/auth/login", json: jsonBody(["email": "ann@example.com"])), 400, "bad_request", mentioning: "password")
        assertError(app.send("POST", "/auth/login", json: #"{"email":"ann@example.com","password":12345678}"#), 400, "bad_request", mentioning: "password")
        assertError(app.send("POST", "/auth/login", json: "not json"), 400, "bad_request")
    }

    func checkRefreshNeedsRefreshToken() {
        register()
        let t = login()
        let r = app.send("POST", "/auth/refresh", token: t.refresh)
        XCTAssertEqual(r.status, 200, r.text)
        XCTAssertEqual(r["token_type"]?.stringValue, "Bearer")
        guard case .object(let fields) = r.json else { return XCTFail(r.text) }
        XCTAssertEqual(Set(fields.keys), ["access_token", "token_type"])
        XCTAssertEqual(app.send("GET", "/auth/me", token: r["access_token"]?.stringValue).status, 200)

        assertError(app.send("POST", "/auth/refresh", token: t.access), 401, "unauthorized")
        assertError(app.send("POST", "/auth/refresh"), 401, "unauthorized")
        assertError(app.send("POST", "/auth/refresh", token: "garbage"), 401, "unauthorized")
        assertError(app.send("POST", "/auth/refresh", headers: [("Authorization", "Basic abc")]), 401, "unauthorized")
    }

    func checkExpiredTokenIsRejected() {
        let id = register()
        let old = app.tokens.issue(subject: String(id), type: .access, now: app.now - 3600)
        assertError(app.send("GET", "/auth/me", token: old), 401, "unauthorized")
        let otherKey = JWTCodec(secret: "another-key").issue(subject: String(id), type: .access, now: app.now)
        assertError(app.send("GET", "/auth/me", token: otherKey), 401, "unauthorized")
    }

    func checkMe() {
        let id = register()
        let t = login()
        let r = app.send("GET", "/auth/me", token: t.access)
        XCTAssertEqual(r.status, 200, r.text)
        XCTAssertEqual(r["id"]?.testInt, id)
        XCTAssertEqual(r["email"]?.stringValue, "ann@example.com")
        assertError(app.send("GET", "/auth/me"), 401, "unauthorized")
        assertError(app.send("GET", "/auth/me", token: t.refresh), 401, "unauthorized")
    }

    func checkDeletedUsersTokensStopWorking() {
        let ann = user("ann@example.com")
        XCTAssertEqual(app.send("DELETE", "/api/users/\(ann.id)", token: ann.access).status, 204)
        assertError(app.send("GET", "/auth/me", token: ann.access), 401, "unauthorized")
        assertError(app.send("POST", "/auth/refresh", token: ann.refresh), 401, "unauthorized")
        assertError(app.send("POST", "/api/posts", json: jsonBody(["title": "t", "content": "c"]), token: ann.access), 401, "unauthorized")
    }
}
