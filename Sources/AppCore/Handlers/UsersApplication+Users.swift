import ServerCore

extension UsersApplication {
    func loadUser(_ id: Int) throws -> User {
        guard let row = try db.queryOne(Queries.userByID, [.int(id)]) else { throw APIError.notFound("User not found") }
        return try User(row: row)
    }

    /// GET /api/users: a page of users in id order.
    func listUsers(_ r: RouteRequest) throws -> HTTPResponse {
        let pagination = try Pagination(r.request)
        let total = try db.queryOne(Queries.countUsers, [])?.int(0) ?? 0
        var users: [User] = []
        if let offset = pagination.offset, offset < total {
            users = try db.query(Queries.pageOfUsers, [.int(pagination.perPage), .int(offset)]).map(User.init(row:))
        }
        var w = JSONWriter(capacity: 64 + 160 * users.count)
        w.beginObject()
        w.field("page", pagination.page)
        w.field("pages", pagination.pages(total: total))
        w.field("per_page", pagination.perPage)
        w.field("total", total)
        w.key("users")
        w.beginArray()
        for u in users { u.write(to: &w) }
        w.endArray()
        w.endObject()
        return json(200, w.string)
    }

    /// GET /api/users/{id}.
    func getUser(_ r: RouteRequest) throws -> HTTPResponse {
        json(200, try loadUser(r.parameters[0]).json)
    }

    /// PUT /api/users/{id}: yourself only; any of name, email, password.
    func updateUser(_ r: RouteRequest) throws -> HTTPResponse {
        let subject = try subject(try claims(r.request, type: .access))
        var user = try loadUser(r.parameters[0])
        guard user.id == subject else { throw APIError.forbidden("You can only modify your own account") }
        let body = try JSONBody(r.request.body)
        let email = try body.string("email").map { s throws(APIError) in try Validation.email(s) }
        let name = try body.string("name").map { s throws(APIError) in try Validation.name(s) }
        let password = try body.string("password").map { s throws(APIError) in try Validation.password(s) }
        if let email, email != user.email {
            if try db.queryOne(Queries.userByEmail, [.text(email)]) != nil { throw APIError.conflict("Email already registered") }
            user.email = email
        }
        if let name { user.name = name }
        if let password { user.passwordHash = hasher.hash(password) }
        guard let row = try db.queryOne(Queries.updateUser, [.int(user.id), .text(user.email), .text(user.name),
                                                             .text(user.passwordHash), .text(DatabaseTimestamp.now())]) else {
            throw APIError.notFound("User not found") // deleted meanwhile
        }
        return json(200, try User(row: row).json)
    }

    /// DELETE /api/users/{id}: yourself only; your posts go too.
    func deleteUser(_ r: RouteRequest) throws -> HTTPResponse {
        let subject = try subject(try claims(r.request, type: .access))
        let user = try loadUser(r.parameters[0])
        guard user.id == subject else { throw APIError.forbidden("You can only delete your own account") }
        try db.transaction(write: true) {
            try db.execute(Queries.deletePostsOfUser, [.int(user.id)])
            try db.execute(Queries.deleteUser, [.int(user.id)])
        }
        return HTTPResponse(status: 204)
    }

    /// GET /api/users/{id}/posts: newest first.
    func listPostsOfUser(_ r: RouteRequest) throws -> HTTPResponse {
        let pagination = try Pagination(r.request)
        let userID = r.parameters[0]
        guard try db.queryOne(Queries.userExists, [.int(userID)]) != nil else { throw APIError.notFound("User not found") }
        let total = try db.queryOne(Queries.countPostsOfUser, [.int(userID)])?.int(0) ?? 0
        var posts: [Post] = []
        if let offset = pagination.offset, offset < total {
            posts = try db.query(Queries.pageOfPostsOfUser, [.int(userID), .int(pagination.perPage), .int(offset)]).map(Post.init(row:))
        }
        var w = JSONWriter(capacity: 64 + 256 * posts.count)
        w.beginObject()
        w.field("page", pagination.page)
        w.field("pages", pagination.pages(total: total))
        w.field("per_page", pagination.perPage)
        w.key("posts")
        w.beginArray()
        for p in posts { p.write(to: &w) }
        w.endArray()
        w.field("total", total)
        w.endObject()
        return json(200, w.string)
    }
}
