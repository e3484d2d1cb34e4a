import XCTest
@testable import AppCore
@testable import PaddockSQL

extension APIContractSuite {
    func checkGetUser() {
        let id = register()
        let r = app.send("GET", "/api/users/\(id)")
        XCTAssertEqual(r.status, 200, r.text)
        XCTAssertEqual(r["email"]?.stringValue, "ann@example.com")
        assertError(app.send("GET", "/api/users/\(id + 1000)"), 404, "not_found")
        assertError(app.send("GET", "/api/users/abc"), 404, "not_found")
        assertError(app.send("GET", "/api/users/-1"), 404, "not_found")
    }

    func checkUpdateOwnUser() {
        let ann = user("ann@example.com", name: "Ann")
        let before = app.send("GET", "/api/users/\(ann.id)")
        let r = app.send("PUT", "/api/users/\(ann.id)", json: jsonBody(["name": "Annie", "email": "annie@example.com"]), token: ann.access)
        XCTAssertEqual(r.status, 200, r.text)
        XCTAssertEqual(r["name"]?.stringValue, "Annie")
        XCTAssertEqual(r["email"]?.stringValue, "annie@example.com")
        XCTAssertEqual(r["created_at"], before["created_at"])
        XCTAssertGreaterThanOrEqual(r["updated_at"]?.stringValue ?? "", before["updated_at"]?.stringValue ?? "~")

        let p = app.send("PUT", "/api/users/\(ann.id)", json: jsonBody(["password": "new-password"]), token: ann.access)
        XCTAssertEqual(p.status, 200, p.text)
        let again = login("annie@example.com", password: "new-password")
        assertError(app.send("POST", "/auth/login", json: jsonBody(["email": "annie@example.com", "password": "password123"])), 401, "unauthorized")

        // An empty object changes nothing but is fine.
        XCTAssertEqual(app.send("PUT", "/api/users/\(ann.id)", json: "{}", token: again.access).status, 200)
    }

    func checkUpdateUserErrors() {
        let ann = user("ann@example.com")
        let bob = user("bob@example.com")
        assertError(app.send("PUT", "/api/users/\(ann.id)", json: jsonBody(["name": "X"])), 401, "unauthorized")
        assertError(app.send("PUT", "/api/users/\(bob.id)", json: jsonBody(["name": "X"]), token: ann.access), 403, "forbidden")
        assertError(app.send("PUT", "/api/users/\(bob.id + 1000)", json: jsonBody(["name": "X"]), token: ann.access), 404, "not_found")
        assertError(app.send("PUT", "/api/users/\(ann.id)", json: jsonBody(["email": "bob@example.com"]), token: ann.access), 409, "conflict")
        assertError(app.send("PUT", "/api/users/\(ann.id)", json: jsonBody(["email": "nope"]), token: ann.access), 400, "bad_request", mentioning: "email")
        assertError(app.send("PUT", "/api/users/\(ann.id)", json: jsonBody(["password": "short"]), token: ann.access), 400, "bad_request", mentioning: "password")
        assertError(app.send("PUT", "/api/users/\(ann.id)", json: #"{"name":""}"#, token: ann.access), 400, "bad_request", mentioning: "name")
        assertError(app.send("PUT", "/api/users/\(ann.id)", json: #"{"name":false}"#, token: ann.access), 400, "bad_request", mentioning: "name")
        assertError(app.send("PUT", "/api/users/\(ann.id)", json: "[", token: ann.access), 400, "bad_request")
        // Keeping one's own address is not a conflict.
        XCTAssertEqual(app.send("PUT", "/api/users/\(ann.id)", json: jsonBody(["email": "ann@example.com"]), token: ann.access).status, 200)
        XCTAssertEqual(app.send("GET", "/api/users/\(bob.id)")["name"]?.stringValue, "User")
    }

    func checkDeleteUserDeletesPosts() {
        let ann = user("ann@example.com")
        let bob = user("bob@example.com")
        let post = createPost(ann.access)
        let bobsPost = createPost(bob.access)
        assertError(app.send("DELETE", "/api/users/\(ann.id)"), 401, "unauthorized")
        assertError(app.send("DELETE", "/api/users/\(ann.id)", token: bob.access), 403, "forbidden")
        assertError(app.send("DELETE", "/api/users/\(bob.id + 1000)", token: ann.access), 404, "not_found")
        let r = app.send("DELETE", "/api/users/\(ann.id)", token: ann.access)
        XCTAssertEqual(r.status, 204)
        XCTAssertTrue(r.body.isEmpty)
        assertError(app.send("GET", "/api/users/\(ann.id)"), 404, "not_found")
        assertError(app.send("GET", "/api/posts/\(post)"), 404, "not_found")
        XCTAssertEqual(app.send("GET", "/api/posts/\(bobsPost)").status, 200)
    }
}
