import XCTest
@testable import AppCore
@testable import PaddockSQL

extension APIContractSuite {
    /// Every protected route against every kind of credential.
    func checkAuthorizationMatrix() {
        let ann = user("ann@example.com")
        let bob = user("bob@example.com")
        let post = createPost(ann.access)
        let expired = app.tokens.issue(subject: String(ann.id), type: .access, now: app.now - 7200)
        let routes: [(String, String, String?)] = [
            ("PUT", "/api/users/\(ann.id)", jsonBody(["name": "Ann"])),
            ("PUT", "/api/posts/\(post)", jsonBody(["title": "Title"])),
            ("GET", "/auth/me", nil),
            ("POST", "/api/posts", jsonBody(["title": "t", "content": "c"])),
        ]
        let credentials: [(String, String?, [Int])] = [
            ("none", nil, [401, 401, 401, 401]),
            ("garbage", "not.a.token", [401, 401, 401, 401]),
            ("expired", expired, [401, 401, 401, 401]),
            ("refresh token", ann.refresh, [401, 401, 401, 401]),
            ("other user", bob.access, [403, 403, 200, 201]),
            ("owner", ann.access, [200, 200, 200, 201]),
        ]
        for (label, token, expected) in credentials {
            for (i, (method, path, body)) in routes.enumerated() {
                let r = app.send(method, path, json: body, token: token)
                XCTAssertEqual(r.status, expected[i], "\(label): \(method) \(path): \(r.text)")
            }
        }
        // Deletes last, so the rows exist for every credential above.
        for (label, token, status) in [("none", nil, 401), ("refresh", ann.refresh, 401), ("other", bob.access, 403), ("owner", ann.access, 204)] as [(String, String?, Int)] {
            XCTAssertEqual(app.send("DELETE", "/api/posts/\(post)", token: token).status, status, label)
        }
        for (label, token, status) in [("none", nil, 401), ("refresh", ann.refresh, 401), ("other", bob.access, 403), ("owner", ann.access, 204)] as [(String, String?, Int)] {
            XCTAssertEqual(app.send("DELETE", "/api/users/\(ann.id)", token: token).status, status, label)
        }
    }
}
