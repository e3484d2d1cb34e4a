import Paddock
import PaddockSQL

extension UsersApplication {
    /// POST /auth/register: 201 user; 409 when the e-mail is taken.
    func register(_ r: RouteRequest) throws -> HTTPResponse {
        let body = try JSONBody(r.request.body)
        let email = try Validation.email(try body.requiredString("email"))
        let name = try Validation.name(try body.requiredString("name"))
        let password = try Validation.password(try body.requiredString("password"))
        // Cheap pre-check so a duplicate does not cost a password hash; the
        // UNIQUE constraint still decides races (a uniqueViolation is a 409).
        if try db.queryOne(Queries.userByEmail, [.text(email)]) != nil { throw APIError.conflict("Email already registered") }
        let hash = hasher.hash(password)
        guard let row = try db.queryOne(Queries.insertUser, [.text(email), .text(name), .text(hash), .text(DatabaseTimestamp.now())]) else {
            throw DatabaseError(.other, call: "insert_user", message: "INSERT returned no row")
        }
        return json(201, try User(row: row).json)
    }

    /// POST /auth/login: tokens and the user; 401 for a wrong e-mail or password alike.
    func login(_ r: RouteRequest) throws -> HTTPResponse {
        let body = try JSONBody(r.request.body)
        let rawEmail = try body.requiredString("email")
        let password = try Validation.cappedPassword(try body.requiredString("password"))
        let email = Validation.trimmed(rawEmail).lowercased()
        guard let row = try db.queryOne(Queries.userByEmail, [.text(email)]) else {
            // The same hash work as a wrong password, so the answer time
            // does not tell whether the address has an account.
            _ = hasher.verify(password, against: unknownUserHash)
            throw APIError.unauthorized("Invalid email or password")
        }
        let user = try User(row: row)
        guard hasher.verify(password, against: user.passwordHash) else { throw APIError.unauthorized("Invalid email or password") }
        // The password may have changed while it was being checked.
        guard let now = try issueInstant(for: user) else { throw APIError.unauthorized("Invalid email or password") }
        var w = JSONWriter(capacity: 768)
        w.beginObject()
        w.field("access_token", tokens.issue(subject: String(user.id), type: .access, fresh: true, nowMicroseconds: now))
        w.field("refresh_token", tokens.issue(subject: String(user.id), type: .refresh, nowMicroseconds: now))
        w.field("token_type", "Bearer")
        w.key("user")
        user.write(to: &w)
        w.endObject()
        return json(200, w.string)
    }

    /// POST /auth/refresh: a new (not fresh) access token for a refresh token.
    func refresh(_ r: RouteRequest) throws -> HTTPResponse {
        let user = try tokenUser(r.request, type: .refresh)
        guard let now = try issueInstant(for: user) else { throw APIError.unauthorized("Token has been revoked") }
        var w = JSONWriter(capacity: 512)
        w.beginObject()
        w.field("access_token", tokens.issue(subject: String(user.id), type: .access, fresh: false, nowMicroseconds: now))
        w.field("token_type", "Bearer")
        w.endObject()
        return json(200, w.string)
    }

    /// GET /auth/me: the token's user; 401 once that user is deleted.
    func me(_ r: RouteRequest) throws -> HTTPResponse {
        json(200, try tokenUser(r.request, type: .access).json)
    }
}
