import Paddock
import PaddockSQL

extension UsersApplication {
    func loadPost(_ id: Int) throws -> Post {
        guard RecordID.isValid(id), let row = try db.queryOne(Queries.postByID, [.int(id)]) else { throw APIError.notFound("Post not found") }
        return try Post(row: row)
    }

    /// POST /api/posts: the token's user is the author.
    func createPost(_ r: RouteRequest) throws -> HTTPResponse {
        let author = try tokenUser(r.request, type: .access)
        let body = try JSONBody(r.request.body)
        let title = try Validation.title(try body.requiredString("title"))
        let content = try Validation.content(try body.requiredString("content"))
        guard let row = try db.queryOne(Queries.insertPost, [.int(author.id), .text(title), .text(content),
                                                             .text(DatabaseTimestamp.now())]) else {
            throw DatabaseError(.other, call: "insert_post", message: "INSERT returned no row")
        }
        return json(201, try Post(row: row).json)
    }

    /// GET /api/posts/{id}.
    func getPost(_ r: RouteRequest) throws -> HTTPResponse {
        json(200, try loadPost(r.parameters[0]).json)
    }

    /// PUT /api/posts/{id}: the author only; any of title, content.
    func updatePost(_ r: RouteRequest) throws -> HTTPResponse {
        let author = try tokenUser(r.request, type: .access)
        var post = try loadPost(r.parameters[0])
        guard post.userID == author.id else { throw APIError.forbidden("You can only modify your own posts") }
        let body = try JSONBody(r.request.body)
        if let title = try body.string("title") { post.title = try Validation.title(title) }
        if let content = try body.string("content") { post.content = try Validation.content(content) }
        guard let row = try db.queryOne(Queries.updatePost, [.int(post.id), .text(post.title), .text(post.content),
                                                             .text(DatabaseTimestamp.now())]) else {
            throw APIError.notFound("Post not found") // deleted meanwhile
        }
        return json(200, try Post(row: row).json)
    }

    /// DELETE /api/posts/{id}: the author only.
    func deletePost(_ r: RouteRequest) throws -> HTTPResponse {
        let author = try tokenUser(r.request, type: .access)
        let post = try loadPost(r.parameters[0])
        guard post.userID == author.id else { throw APIError.forbidden("You can only delete your own posts") }
        try db.execute(Queries.deletePost, [.int(post.id)])
        return HTTPResponse(status: 204)
    }
}
