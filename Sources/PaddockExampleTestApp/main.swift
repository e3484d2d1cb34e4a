import Paddock

/// A greeter: one route with a path parameter, one that takes and returns
/// JSON through `Codable`, and one setting of its own.
final class Greeter: Application {
    static let greeting = Setting<String>(
        key: "greeting", default: "Hello",
        flags: ["--greeting"], section: "Greeter", reload: .nextWorkers,
        summary: "The word the greeter says before the name.")

    struct Item: Codable {
        var id: Int
        var name: String
    }

    // One table per worker process: a route table holds functions, which are not Sendable.
    let router: ApplicationRouter<Greeter> = Router([
        Route("GET", "/hello/{name}", Greeter.greet),
        Route("GET", "/items/{id:int}", Greeter.item),
        Route("PUT", "/items/{id:int}", Greeter.renameItem),
        // One list through Codable and through the JSON writer (Greeter+Roster.swift), for bench/library.sh.
        Route("GET", "/bench/codable", Greeter.rosterCodable),
        Route("GET", "/bench/writer", Greeter.rosterWriter),
    ])
    let greeting: String
    let logger: Logger

    init(_ context: ApplicationContext) {
        greeting = context[Greeter.greeting]
        logger = context.logger
    }

    /// The metrics label requests by these templates (`/hello/{name}`).
    var routeTemplates: [String] { router.templates }

    /// Called for every request, one at a time in this worker.
    func handle(_ request: HTTPRequest) -> HTTPResponse {
        router.respond(to: request, for: self) { error, request in
            self.logger.error("\(request.method) \(request.path): \(error)")
            return .json(400, #"{"error":"bad_request"}"#)
        }
    }

    func greet(_ r: RoutedRequest) throws -> HTTPResponse {
        .json(200) { w in
            w.beginObject()
            w.field("message", "\(greeting), \(r.parameters["name"] ?? "")!")
            w.endObject()
        }
    }

    func item(_ r: RoutedRequest) throws -> HTTPResponse {
        try .json(200, encoding: Item(id: r.parameters.int("id") ?? 0, name: "item"))
    }

    func renameItem(_ r: RoutedRequest) throws -> HTTPResponse {
        var item = try r.request.decodeBody(Item.self)
        item.id = r.parameters.int("id") ?? 0
        return try .json(200, encoding: item)
    }
}

PaddockMain.run("greeter", settings: [Greeter.greeting.spec]) { context in Greeter(context) }
