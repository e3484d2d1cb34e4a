import Paddock
import PaddockSQL

/// The users/posts/auth JSON API (API.md), one instance per worker.
///
/// Holds the worker's one database connection; `handle` runs on the
/// worker's only thread, so nothing here is shared or locked.
public final class UsersApplication: Application {
    typealias Handler = (UsersApplication) -> (RouteRequest) throws -> HTTPResponse

    let logger: Logger
    let db: DatabaseConnection
    let tokens: JWTCodec
    let hasher: PasswordHasher
    let cors: CORSPolicy
    let router: Router<Handler>
    let autoMigrate: Bool
    /// Whether the schema has `token_validity` (migration 3), so password
    /// changes and deletions can end earlier tokens. Set by the schema check.
    var recordsTokenValidity = false
    /// Whether the schema has the trigger-kept counts (migration 5); without
    /// them the lists count and skip rows as Flask-SQLAlchemy does. Set by
    /// the schema check.
    var keepsListCounts = false
    /// Whether the schema was checked (and migrated, with `auto_migrate`);
    /// until then every request that needs the database gets 503.
    var schemaReady = false
    /// Why the last schema check failed (the database unreachable, the tables missing).
    var schemaProblem: Error?
    /// No schema check before this monotonic time, so a burst of requests
    /// while the database is missing costs one check, not one each.
    var nextSchemaCheck: UInt64 = 0
    /// A hash at the configured cost that no password matches, checked when
    /// a login names an unknown address. Costs no key derivation to make
    /// (see `PasswordHasher.unmatchableHash()`), so a worker holds no scrypt
    /// block until someone logs in; made at the first such login, so a
    /// worker that never sees one never starts libcrypto's random generator
    /// (about 2 MiB of its code resident in every worker).
    lazy var unknownUserHash: String = hasher.unmatchableHash()
    /// Whether the last database call found the database unreachable, so an
    /// outage is logged once when it starts and once when it ends.
    private var databaseDown = false

    /// Builds the application from the configuration; opens nothing yet.
    /// Throws for an unusable `database_url` or `password_scrypt_n`.
    public init(configuration: Configuration, logger: Logger) throws {
        let n = configuration[Settings.passwordScryptN]
        guard n > 1, n & (n - 1) == 0 else {
            throw SettingError(key: Settings.passwordScryptN.key, message: "must be a power of two, got \(n)")
        }
        self.logger = logger
        db = try Database.connection(for: configuration, logger: logger)
        autoMigrate = try Database.autoMigrates(configuration)
        var secret = configuration[Settings.jwtSecretKey]
        if secret.isEmpty {
            // The master fills jwt_secret_key before workers start; only an
            // application built directly (tests) gets here. Tokens it issues
            // are valid for this instance only.
            secret = Digest.hex(Digest.randomBytes(32))
        }
        tokens = JWTCodec(secret: secret, accessLifetime: configuration[Settings.jwtAccessTokenExpires],
                          refreshLifetime: configuration[Settings.jwtRefreshTokenExpires])
        hasher = PasswordHasher(scryptN: n)
        cors = CORSPolicy(origins: configuration[Settings.corsOrigins])
        router = Router(Self.routes)
    }

    /// Connects and checks (or brings up to date) the schema. A PostgreSQL
    /// server that is not reachable yet, or a database without tables yet,
    /// does not stop the worker: it serves `/health`, answers everything else
    /// 503, and checks again (see `ensureSchema`). Throws for anything else:
    /// a failed migration, a SQLite file that cannot be opened (a local
    /// mistake that waiting does not fix).
    public func start() throws {
        do {
            try ensureSchema()
        } catch let e as DatabaseError where e.kind == .unavailable && db.dialect == .postgres {
            logger.info("starting without the database; answering 503 until it is reachable")
        } catch is SchemaError {
            // Logged by ensureSchema; answered 503 with its message.
        }
    }

    /// The schema checked and `SELECT 1` on the worker's connection
    /// (reconnecting, throttled, when it is down). The detail is the message
    /// `/health/ready` answers with.
    public func isReady() -> (ready: Bool, detail: String) {
        do {
            try ensureSchema()
        } catch let e as SchemaError {
            return (false, e.description)
        } catch {
            return (false, Self.unavailableMessage)
        }
        let ok = db.ping()
        noteDatabase(up: ok, cause: ok ? nil : "SELECT 1 failed")
        return (ok, ok ? "ok" : Self.unavailableMessage)
    }

    static let unavailableMessage = "The database is unavailable"

    /// Called when the worker is idle: finishes the schema check or
    /// reconnects a dropped connection, so the next request does not pay for it.
    public func tick() {
        if !schemaReady {
            do { try ensureSchema() } catch {
                // Still not ready; requests keep getting 503 until it is.
            }
            return
        }
        if let pg = db as? PostgresConnection, !pg.isConnected {
            do {
                try pg.connect()
                noteDatabase(up: true, cause: nil)
            } catch {
                // Still down; requests keep getting 503 until it is back.
            }
        }
    }

    /// Routes one request; never throws and never exposes internals: every
    /// failure becomes a JSON error, unexpected ones logged with their cause.
    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        var response = route(request)
        cors.decorate(&response, origin: request.headers["Origin"])
        return response
    }

    private func route(_ request: HTTPRequest) -> HTTPResponse {
        if request.method == "OPTIONS" {
            if cors.isPreflight(request) { return cors.preflightResponse(request) }
            guard let allowed = router.allowedMethods(path: request.path) else {
                return APIError.notFound("The requested URL was not found on the server").response
            }
            return HTTPResponse(status: 204, headers: HTTPHeaders([("Allow", allowed.allowHeader)]))
        }
        let (resolution, template) = router.resolveWithTemplate(method: request.method, path: request.path)
        var response = answer(resolution, request)
        response.routeTemplate = template
        return response
    }

    private func answer(_ resolution: Router<Handler>.Resolution, _ request: HTTPRequest) -> HTTPResponse {
        switch resolution {
        case .notFound:
            return APIError.notFound("The requested URL was not found on the server").response
        case .methodNotAllowed(let allowed):
            var e = APIError(405, "method_not_allowed", "The method is not allowed for the requested URL")
            e.headers = [("Allow", allowed.allowHeader)]
            return e.response
        case .matched(let handler, let parameters):
            do {
                if !schemaReady && request.path != "/health" && request.path != "/health/ready" { try ensureSchema() }
                let response = try handler(self)(RouteRequest(request: request, parameters: parameters.integers))
                // Only a database answer proves the outage over (/health succeeds without one).
                if databaseDown && db.ping() { noteDatabase(up: true, cause: nil) }
                return response
            } catch {
                return failure(error, request)
            }
        }
    }

    /// Turns anything a handler threw into the API's JSON error.
    private func failure(_ error: Error, _ request: HTTPRequest) -> HTTPResponse {
        switch error {
        case let e as APIError:
            return e.response
        case let e as DatabaseError where e.kind == .unavailable:
            noteDatabase(up: false, cause: e.description)
            return APIError.unavailable("The database is unavailable; try again shortly").response
        case let e as SchemaError:
            return APIError.unavailable(e.description).response
        case let e as DatabaseError where e.kind == .uniqueViolation:
            // Two requests raced past the pre-check; the constraint decided.
            return APIError.conflict("Email already registered").response
        default:
            logger.error("\(request.method) \(request.path) failed: \(error)")
            return APIError.internalError().response
        }
    }

    func noteDatabase(up: Bool, cause: String?) {
        if up && databaseDown {
            logger.info("database reachable again")
        } else if !up && !databaseDown {
            logger.error("database unavailable: \(cause ?? "unknown")")
        }
        databaseDown = !up
    }
}

/// A matched request: the request and the route's integer path parameters.
struct RouteRequest {
    let request: HTTPRequest
    let parameters: [Int]
}
