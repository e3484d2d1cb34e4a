import XCTest
@testable import AppCore
@testable import PaddockSQL

extension APIContractSuite {
    func checkCreateAndGetPost() {
        let ann = user("ann@example.com")
        let r = app.send("POST", "/api/posts", json: jsonBody(["title": "Hello", "content": "World"]), token: ann.access)
        XCTAssertEqual(r.status, 201, r.text)
        guard case .object(let fields) = r.json else { return XCTFail(r.text) }
        XCTAssertEqual(Set(fields.keys), ["id", "user_id", "title", "content", "created_at", "updated_at"])
        XCTAssertEqual(r["user_id"]?.testInt, ann.id)
        XCTAssertEqual(r["title"]?.stringValue, "Hello")
        let id = r["id"]?.testInt ?? -1
        let g = app.send("GET", "/api/posts/\(id)")
        XCTAssertEqual(g.status, 200)
        XCTAssertEqual(g.json, r.json)
        assertError(app.send("GET", "/api/posts/\(id + 1000)"), 404, "not_found")
    }

    func checkCreatePostErrors() {
        let ann = user("ann@example.com")
        assertError(app.send("POST", "/api/posts", json: jsonBody(["title": "t", "content": "c"])), 401, "unauthorized")
        assertError(app.send("POST", "/api/posts", json: jsonBody(["title": "t", "content": "c"]), token: ann.refresh), 401, "unauthorized")
        assertError(app.send("POST", "/api/posts", json: jsonBody(["content": "c"]), token: ann.access), 400, "bad_request", mentioning: "title")
        assertError(app.send("POST", "/api/posts", json: jsonBody(["title": "t"]), token: ann.access), 400, "bad_request", mentioning: "content")
        assertError(app.send("POST", "/api/posts", json: jsonBody(["title": "t", "content": "  "]), token: ann.access), 400, "bad_request", mentioning: "content")
        assertError(app.send("POST", "/api/posts", json: jsonBody(["title": String(repeating: "x", count: 201), "content": "c"]), token: ann.access),
                    400, "bad_request", mentioning: "title")
        assertError(app.send("POST", "/api/posts", json: #"{"title":1,"content":"c"}"#, token: ann.access), 400, "bad_request", mentioning: "title")
        assertError(app.send("POST", "/api/posts", json: "{]", token: ann.access), 400, "bad_request")
        XCTAssertEqual(app.send("POST", "/api/posts", json: jsonBody(["title": String(repeating: "x", count: 200), "content": "c"]), token: ann.access).status, 201)
    }

    func checkUpdatePost() {
        let ann = user("ann@example.com")
        let bob = user("bob@example.com")
        let id = createPost(ann.access)
        let r = app.send("PUT", "/api/posts/\(id)", json: jsonBody(["title": "New title"]), token: ann.access)
        XCTAssertEqual(r.status, 200, r.text)
        XCTAssertEqual(r["title"]?.stringValue, "New title")
        XCTAssertEqual(r["content"]?.stringValue, "World")
        let c = app.send("PUT", "/api/posts/\(id)", json: jsonBody(["content": "Body"]), token: ann.access)
        XCTAssertEqual(c["content"]?.stringValue, "Body")
        XCTAssertEqual(c["title"]?.stringValue, "New title")

        assertError(app.send("PUT", "/api/posts/\(id)", json: jsonBody(["title": "x"])), 401, "unauthorized")
        assertError(app.send("PUT", "/api/posts/\(id)", json: jsonBody(["title": "x"]), token: bob.access), 403, "forbidden")
        assertError(app.send("PUT", "/api/posts/\(id + 1000)", json: jsonBody(["title": "x"]), token: ann.access), 404, "not_found")
        assertError(app.send("PUT", "/api/posts/\(id)", json: jsonBody(["title": ""]), token: ann.access), 400, "bad_request", mentioning: "title")
        assertError(app.send("PUT", "/api/posts/\(id)", json: #"{"content":[]}"#, token: ann.access), 400, "bad_request", mentioning: "content")
        XCTAssertEqual(app.send("GET", "/api/posts/\(id)")["title"]?.stringValue, "New title")
    }

    func checkDeletePost() {
        let ann = user("ann@example.com")
        let bob = user("bob@example.com")
        let id = createPost(ann.access)
        assertError(app.send("DELETE", "/api/posts/\(id)"), 401, "unauthorized")
        assertError(app.send("DELETE", "/api/posts/\(id)", token: bob.access), 403, "forbidden")
        assertError(app.send("DELETE", "/api/posts/\(id + 1000)", token: ann.access), 404, "not_found")
        let r = app.send("DELETE", "/api/posts/\(id)", token: ann.access)
        XCTAssertEqual(r.status, 204)
        XCTAssertTrue(r.body.isEmpty)
        assertError(app.send("GET", "/api/posts/\(id)"), 404, "not_found")
        assertError(app.send("DELETE", "/api/posts/\(id)", token: ann.access), 404, "not_found")
    }

    func checkUserPostsNewestFirst() {
        let ann = user("ann@example.com")
        let bob = user("bob@example.com")
        let ids = (1...3).map { createPost(ann.access, title: "Post \($0)") }
        createPost(bob.access)
        let r = app.send("GET", "/api/users/\(ann.id)/posts")
        XCTAssertEqual(r.status, 200, r.text)
        XCTAssertEqual(r["posts"]?.testArray.compactMap { $0["id"]?.testInt }, ids.reversed())
        XCTAssertEqual(r["total"]?.testInt, 3)
        assertError(app.send("GET", "/api/users/\(bob.id + 1000)/posts"), 404, "not_found")
        let empty = app.send("GET", "/api/users/\(user("cy@example.com").id)/posts")
        XCTAssertEqual(empty["posts"]?.testArray.count, 0)
        XCTAssertEqual(empty["pages"]?.testInt, 0)
    }
}
