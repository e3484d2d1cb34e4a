import Posix
import ServerCore

extension UsersApplication {
    /// Seconds since the epoch, for token times.
    var now: Int { Int(Clock.realtime().seconds) }

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

    /// The token's subject as a user id.
    func subject(_ claims: JWTClaims) throws(APIError) -> Int {
        guard let id = Int(claims.sub) else { throw .unauthorized("Invalid token subject") }
        return id
    }

    /// The user the token names, loaded from the database; a deleted user is a 401.
    func tokenUser(_ request: HTTPRequest, type: TokenType) throws -> User {
        let id = try subject(try claims(request, type: type))
        guard let row = try db.queryOne(Queries.userByID, [.int(id)]) else { throw APIError.unauthorized("User not found") }
        return try User(row: row)
    }

    /// A JSON response with `status`.
    func json(_ status: Int, _ text: String) -> HTTPResponse { HTTPResponse.json(status, text) }
}
