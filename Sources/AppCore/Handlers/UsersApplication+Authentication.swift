import Paddock
import PaddockSQL

extension UsersApplication {
    /// Seconds since the epoch, for token times.
    var now: Int { Int(Clock.realtime().seconds) }

    /// Microseconds since the epoch: when a token is issued, and when a
    /// password change or a deletion cuts off earlier ones.
    var nowMicroseconds: Int {
        let (seconds, nanoseconds) = Clock.realtime()
        return Int(seconds) * 1_000_000 + Int(nanoseconds / 1000)
    }

    /// Verifies `Authorization: Bearer <token>` and its type; any failure is a 401.
    func claims(_ request: HTTPRequest, type: TokenType) throws(APIError) -> JWTClaims {
        guard let header = request.headers["Authorization"] else { throw .unauthorized("Missing Authorization header") }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
            throw .unauthorized("Authorization header must be 'Bearer <token>'")
        }
        let claims: JWTClaims
        do {
            claims = try tokens.verify(String(parts[1]), now: now)
        } catch {
            switch error {
            case .expired: throw .unauthorized("Token has expired")
            case .notYetValid: throw .unauthorized("Token is not yet valid")
            case .badSignature: throw .unauthorized("Signature verification failed")
            default: throw .unauthorized("Invalid token")
            }
        }
        guard claims.type == type else {
            throw .unauthorized(type == .access ? "Only access tokens are allowed" : "Only refresh tokens are allowed")
        }
        return claims
    }

    /// The token's subject as a user id: canonical decimal within the id
    /// column's range, else the token is as invalid as a bad signature.
    func subject(_ claims: JWTClaims) throws(APIError) -> Int {
        guard let id = RecordID.parse(claims.sub) else { throw .unauthorized("Invalid token") }
        return id
    }

    /// The user the token names, loaded from the database. A deleted user,
    /// or a token issued before the password last changed or before the
    /// account existed (an earlier holder of a reused id), is a 401.
    func tokenUser(_ request: HTTPRequest, type: TokenType) throws -> User {
        let claims = try claims(request, type: type)
        let id = try subject(claims)
        let statement = recordsTokenValidity ? Queries.tokenUserByID : Queries.userByID
        guard let row = try db.queryOne(statement, [.int(id)]) else { throw APIError.unauthorized("User not found") }
        let user = try User(row: row)
        // A creation time in the future (a clock or time zone mix-up where
        // the row was written) would refuse every token; it tells nothing.
        let created = DatabaseTimestamp.microseconds(user.createdAt).flatMap { $0 <= nowMicroseconds ? $0 : nil }
        let cutoff = TokenCutoff(validAfter: recordsTokenValidity ? row.int(6) : nil, accountCreated: created)
        guard cutoff.admits(TokenIssueInstant(claims)) else { throw APIError.unauthorized("Token has been revoked") }
        return user
    }

    /// The instant to issue `user`'s tokens at, or nil when the row no
    /// longer holds the password hash the caller checked (changed or deleted
    /// since it was read, here or by the Flask application).
    ///
    /// Taken inside a transaction that excludes a password change or a
    /// deletion of the row (PostgreSQL: a share lock on the row; SQLite: the
    /// write lock), whose cut-off is taken inside theirs after the row is
    /// written. So a change either commits first, and this sees it, or
    /// after, and its cut-off is later than the instant returned: a login
    /// or refresh that raced a password change never outlives it.
    func issueInstant(for user: User) throws -> Int? {
        let statement = db.dialect == .postgres ? Queries.passwordHashForIssuePostgres : Queries.passwordHashForIssueSQLite
        return try db.transaction(write: true) {
            guard try db.queryOne(statement, [.int(user.id)])?.text(0) == user.passwordHash else { return nil }
            return nowMicroseconds
        }
    }

    /// Ends every token of `userID` issued before now. Call it inside the
    /// transaction that changes the password or deletes the account, after
    /// the row is written (see `issueInstant(for:)`). A no-op on a schema
    /// without `token_validity`.
    func cutOffTokens(of userID: Int) throws {
        guard recordsTokenValidity else { return }
        try db.execute(Queries.cutOffTokens, [.int(userID), .int(nowMicroseconds)])
    }

    /// A JSON response with `status`.
    func json(_ status: Int, _ text: String) -> HTTPResponse { HTTPResponse.json(status, text) }
}
