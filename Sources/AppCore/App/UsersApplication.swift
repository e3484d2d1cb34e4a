import Posix
import ServerCore

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
    private let autoMigrate: Bool
    /// Whether the schema has `token_validity` (migration 3), so password
    /// changes and deletions can end earlier tokens. Set by `start()`.
    private(set) var recordsTokenValidity = false
    /// Whether the schema has the trigger-kept counts (migration 5); without
    /// them the lists count and skip rows as Flask-SQLAlchemy does. Set by `start()`.
    private(set) var keepsListCounts = false
    /// A hash at the configured cost that no password matches, checked when
    /// a login names an unknown address. Made once per worker by `start()`.
    private(set) var unknownUserHash = ""
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

    /// Connects and checks (or brings up to date) the schema. Throws when the
    /// database is unreachable or the tables are missing with `auto_migrate` off.
    public func start() throws {
        try db.connect()
        if autoMigrate {
            try Migrations.migrate(db, logger: logger)
            recordsTokenValidity = true
            keepsListCounts = true
        } else {
            let status = try Migrations.status(db)
            guard status.tablesExist else {
                throw SchemaError(description: "the database has no users/posts tables; run `paddock migrate` first (or set auto_migrate = on)")
            }
            recordsTokenValidity = status.version >= Migrations.tokenValidityVersion
            keepsListCounts = status.version >= Migrations.listCountsVersion
            if status.version < Migrations.latestVersion {
                let tokens = recordsTokenValidity ? "" : " (until then, and a restart, tokens outlive password changes and deleted accounts)"
                logger.warning("database schema is at version \(status.version) of \(Migrations.latestVersion); run `paddock migrate` to apply the rest\(tokens)")
            }
        }
        unknownUserHash = hasher.hash(Digest.hex(Digest.randomBytes(16)))
    }

    /// `SELECT 1` on the worker's connection (reconnecting, throttled, when it is down).
    public func isReady() -> (ready: Bool, detail: String) {
        let ok = db.ping()
        noteDatabase(up: ok, cause: ok ? nil : "SELECT 1 failed")
        return (ok, ok ? "ok" : "database unavailable")
    }

    /// Called when the worker is idle: reconnects a dropped connection so the
    /// next request does not pay for it.
    public func tick() {
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
        switch router.resolve(method: request.method, path: request.path) {
        case .notFound:
            return APIError.notFound("The requested URL was not found on the server").response
        case .methodNotAllowed(let allowed):
            var e = APIError(405, "method_not_allowed", "The method is not allowed for the requested URL")
            e.headers = [("Allow", allowed.allowHeader)]
            return e.response
        case .matched(let handler, let parameters):
            do {
                let response = try handler(self)(RouteRequest(request: request, parameters: parameters))
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
        case let e as DatabaseError where e.kind == .uniqueViolation:
            // Two requests raced past the pre-check; the constraint decided.
            return APIError.conflict("Email already registered").response
        default:
            logger.error("\(request.method) \(request.path) failed: \(error)")
            return APIError.internalError().response
        }
    }

    private func noteDatabase(up: Bool, cause: String?) {
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
