import Paddock
import PaddockSQL

extension UsersApplication {
    func loadUser(_ id: Int) throws -> User {
        guard RecordID.isValid(id), let row = try db.queryOne(Queries.userByID, [.int(id)]) else { throw APIError.notFound("User not found") }
        return try User(row: row)
    }

    /// GET /api/users: a page of users in id order, by `page` or after the
    /// `after_id` cursor. With the trigger-kept counts (migration 5) neither
    /// the total nor the depth of the page costs a scan; see `ListCounters`.
    func listUsers(_ r: RouteRequest) throws -> HTTPResponse {
        var pagination = try Pagination(r.request, allowsCursor: keepsListCounts)
        let total: Int
        var users: [User] = []
        if !keepsListCounts {
            total = try db.queryOne(Queries.countUsersScanning, [])?.int(0) ?? 0
            if let offset = pagination.offset, offset < total {
                users = try db.query(Queries.pageOfUsersByOffset, [.int(pagination.perPage), .int(offset)]).map(User.init(row:))
            }
        } else if let afterID = pagination.afterID {
            total = try db.queryOne(Queries.countUsers, [])?.int(0) ?? 0
            users = try db.query(Queries.usersAfterID, [.int(afterID), .int(pagination.perPage)]).map(User.init(row:))
            pagination = Pagination(page: try userRank(atOrBelow: afterID) / pagination.perPage + 1,
                                    perPage: pagination.perPage, afterID: afterID)
        } else {
            total = try db.queryOne(Queries.countUsers, [])?.int(0) ?? 0
            if let offset = pagination.offset, offset < total {
                users = try usersFromRank(offset, count: pagination.perPage)
            }
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

    /// `count` users in id order from the one of 0-based rank `rank`: the
    /// counts name the block of ids that holds it and how many users come
    /// before that block, and the primary key skips the rest within the
    /// block. Exact with any gaps in the ids, because the counts are.
    private func usersFromRank(_ rank: Int, count: Int) throws -> [User] {
        // Within the first block's worth of users the skip from the lowest
        // id is as short as any: no need to ask the counts.
        if rank < ListCounters.blockSize {
            return try db.query(Queries.pageOfUsersFromBlock, [.int(0), .int(rank), .int(count)]).map(User.init(row:))
        }
        guard let block = try db.queryOne(Queries.blockOfUserRank, [.int(rank)]),
              let number = block.int(0), let before = block.int(1) else { return [] }
        return try db.query(Queries.pageOfUsersFromBlock, [.int(number * ListCounters.blockSize), .int(rank - before),
                                                           .int(count)]).map(User.init(row:))
    }

    /// How many users have an id at or below `id`.
    private func userRank(atOrBelow id: Int) throws -> Int {
        let block = id / ListCounters.blockSize, superblock = block / ListCounters.blocksPerSuperblock
        return try db.queryOne(Queries.rankOfUserID, [.int(id), .int(superblock), .int(block), .int(block * ListCounters.blockSize),
                                                      .int(superblock * ListCounters.blocksPerSuperblock)])?.int(0) ?? 0
    }

    /// GET /api/users/{id}.
    func getUser(_ r: RouteRequest) throws -> HTTPResponse {
        json(200, try loadUser(r.parameters[0]).json)
    }

    /// The account at `id` if it is the token's own: 404 when there is no
    /// such account, 403 when it is someone else's.
    func ownAccount(_ id: Int, token me: User, action: String) throws -> User {
        guard id == me.id else {
            _ = try loadUser(id)
            throw APIError.forbidden("You can only \(action) your own account")
        }
        return me
    }

    /// PUT /api/users/{id}: yourself only; any of name, email, password.
    /// A new password ends every token issued before it.
    func updateUser(_ r: RouteRequest) throws -> HTTPResponse {
        var user = try ownAccount(r.parameters[0], token: try tokenUser(r.request, type: .access), action: "modify")
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
        let values: [DatabaseValue] = [.int(user.id), .text(user.email), .text(user.name), .text(user.passwordHash),
                                       .text(DatabaseTimestamp.now())]
        let updated: DatabaseRow?
        if password != nil {
            // The new hash and the cut-off commit together, so no token
            // from before outlives the password it was issued under.
            updated = try db.transaction(write: true) {
                let row = try db.queryOne(Queries.updateUser, values)
                if row != nil { try cutOffTokens(of: user.id) }
                return row
            }
        } else {
            updated = try db.queryOne(Queries.updateUser, values)
        }
        guard let updated else { throw APIError.notFound("User not found") } // deleted meanwhile
        return json(200, try User(row: updated).json)
    }

    /// DELETE /api/users/{id}: yourself only; your posts go too, and your
    /// tokens, even if the id is ever given to another account.
    func deleteUser(_ r: RouteRequest) throws -> HTTPResponse {
        let user = try ownAccount(r.parameters[0], token: try tokenUser(r.request, type: .access), action: "delete")
        try db.transaction(write: true) {
            try db.execute(Queries.deletePostsOfUser, [.int(user.id)])
            try db.execute(Queries.deleteUser, [.int(user.id)])
            try cutOffTokens(of: user.id)
        }
        return HTTPResponse(status: 204)
    }

    /// GET /api/users/{id}/posts: newest first.
    func listPostsOfUser(_ r: RouteRequest) throws -> HTTPResponse {
        let pagination = try Pagination(r.request)
        let userID = r.parameters[0]
        guard RecordID.isValid(userID), try db.queryOne(Queries.userExists, [.int(userID)]) != nil else {
            throw APIError.notFound("User not found")
        }
        let count = keepsListCounts ? Queries.countPostsOfUser : Queries.countPostsOfUserScanning
        let total = try db.queryOne(count, [.int(userID)])?.int(0) ?? 0
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
