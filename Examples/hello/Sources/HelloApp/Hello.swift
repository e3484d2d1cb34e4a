import Paddock
import PaddockSQL

/// A greeting and a few notes kept in SQLite (or PostgreSQL: `database_url`).
///
/// One instance per worker process, each with its own connection; `handle`
/// runs one request at a time, so nothing here is locked.
public final class Hello: Application {
    /// The application's own setting: `--hello-greeting`, `PADDOCK_HELLO_GREETING`,
    /// `hello_greeting = ...` in the config file; listed by `--help`.
    public static let greeting = Setting<String>(
        key: "hello_greeting", default: "Hello",
        flags: ["--hello-greeting"], section: "Hello", reload: .nextWorkers,
        summary: "The word said before the name on /hello/NAME.")

    /// Every setting the application adds to the server's.
    public static let settings = [greeting.spec]

    let router: ApplicationRouter<Hello> = Router([
        Route("GET", "/hello/{name}", Hello.greet),
        Route("GET", "/notes", Hello.listNotes),
        Route("POST", "/notes", Hello.createNote),
        Route("GET", "/notes/{id:int}", Hello.getNote),
    ])
    let greeting: String
    let logger: Logger
    let db: DatabaseConnection

    /// Reads the settings; opens nothing yet (that is `start`).
    public init(_ context: ApplicationContext) throws {
        greeting = context[Hello.greeting]
        logger = context.logger
        db = try Database.connection(for: context.configuration, logger: context.logger)
    }

    /// Connects and brings the schema up to date, once per worker; the
    /// runner's lock makes workers starting together apply it once.
    public func start() throws {
        try db.connect()
        try Hello.migrations.migrate(db, logger: logger)
    }

    /// Backs `/health/ready`.
    public func isReady() -> (ready: Bool, detail: String) {
        db.ping() ? (true, "ok") : (false, "the database is unavailable")
    }

    /// The metrics label requests by these templates (`/hello/{name}`).
    public var routeTemplates: [String] { router.templates }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        router.respond(to: request, for: self) { error, request in
            if error is DecodingError || error is JSONParseError {
                return .json(400, #"{"error":"bad_request"}"#)
            }
            self.logger.error("\(request.method) \(request.path) failed: \(error)")
            return .json(500, #"{"error":"internal_error"}"#)
        }
    }

    func greet(_ r: RoutedRequest) throws -> HTTPResponse {
        .json(200) { w in
            w.beginObject()
            w.field("message", "\(greeting), \(r.parameters["name"] ?? "")!")
            w.endObject()
        }
    }

    func createNote(_ r: RoutedRequest) throws -> HTTPResponse {
        let new = try r.request.decodeBody(NewNote.self)
        guard let id = try db.queryOne(Hello.insertNote, [.text(new.text)])?.int(0) else {
            return .json(500, #"{"error":"internal_error"}"#)
        }
        return try .json(201, encoding: Note(id: id, text: new.text))
    }

    func getNote(_ r: RoutedRequest) throws -> HTTPResponse {
        guard let row = try db.queryOne(Hello.noteByID, [.int(r.parameters.int("id") ?? 0)]) else {
            return .json(404, #"{"error":"not_found"}"#)
        }
        return try .json(200, encoding: Note(id: row.int(0) ?? 0, text: row.text(1) ?? ""))
    }

    func listNotes(_ r: RoutedRequest) throws -> HTTPResponse {
        let notes = try db.query(Hello.allNotes, []).map { Note(id: $0.int(0) ?? 0, text: $0.text(1) ?? "") }
        return try .json(200, encoding: notes)
    }
}
