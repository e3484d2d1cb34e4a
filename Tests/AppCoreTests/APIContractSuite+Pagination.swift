import XCTest
@testable import AppCore
@testable import PaddockSQL

extension APIContractSuite {
    func checkUsersPagination() {
        let ids = (1...5).map { register("u\($0)@example.com") }
        let first = app.send("GET", "/api/users")
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(first["page"]?.testInt, 1)
        XCTAssertEqual(first["per_page"]?.testInt, 20)
        XCTAssertEqual(first["total"]?.testInt, 5)
        XCTAssertEqual(first["pages"]?.testInt, 1)
        XCTAssertEqual(first["users"]?.testArray.compactMap { $0["id"]?.testInt }, ids)

        let p2 = app.send("GET", "/api/users?page=2&per_page=2")
        XCTAssertEqual(p2["pages"]?.testInt, 3)
        XCTAssertEqual(p2["users"]?.testArray.compactMap { $0["id"]?.testInt }, Array(ids[2...3]))
        XCTAssertEqual(app.send("GET", "/api/users?page=3&per_page=2")["users"]?.testArray.count, 1)
        let past = app.send("GET", "/api/users?page=4&per_page=2")
        XCTAssertEqual(past.status, 200)
        XCTAssertEqual(past["users"]?.testArray.count, 0)
        XCTAssertEqual(past["total"]?.testInt, 5)
        XCTAssertEqual(past["page"]?.testInt, 4)
        let far = app.send("GET", "/api/users?page=999999999999999999&per_page=100")
        XCTAssertEqual(far.status, 200, far.text)
        XCTAssertEqual(far["users"]?.testArray.count, 0)

        let capped = app.send("GET", "/api/users?per_page=1000")
        XCTAssertEqual(capped["per_page"]?.testInt, 100)
        XCTAssertEqual(app.send("GET", "/api/users?per_page=3")["pages"]?.testInt, 2)
    }

    func checkPaginationRejectsBadNumbers() {
        for query in ["page=0", "page=-1", "page=abc", "page=1.5", "per_page=0", "per_page=x", "page=", "per_page=99999999999999999999"] {
            assertError(app.send("GET", "/api/users?\(query)"), 400, "bad_request")
            assertError(app.send("GET", "/api/users/1/posts?\(query)"), 400, "bad_request")
        }
    }

    func checkPostsPagination() {
        let ann = user("ann@example.com")
        let ids = (1...7).map { createPost(ann.access, title: "P\($0)") }
        let r = app.send("GET", "/api/users/\(ann.id)/posts?page=2&per_page=3")
        XCTAssertEqual(r.status, 200, r.text)
        XCTAssertEqual(r["total"]?.testInt, 7)
        XCTAssertEqual(r["pages"]?.testInt, 3)
        XCTAssertEqual(r["page"]?.testInt, 2)
        XCTAssertEqual(r["per_page"]?.testInt, 3)
        XCTAssertEqual(r["posts"]?.testArray.compactMap { $0["id"]?.testInt }, Array(ids.reversed()[3...5]))
        XCTAssertEqual(app.send("GET", "/api/users/\(ann.id)/posts?page=9")["posts"]?.testArray.count, 0)
    }

    func checkEmptyUserList() {
        let r = app.send("GET", "/api/users")
        XCTAssertEqual(r.json, .object(["users": .array([]), "total": .number(0), "page": .number(1),
                                        "per_page": .number(20), "pages": .number(0)]))
    }
}
