import Paddock

/// The smallest application on the public API, run as a real binary by
/// `LibraryApplicationTests`: one route with a path parameter, a path that
/// answers 405 with `Allow`, and one setting of its own.
final class Greeter: Application {
    static let greeting = Setting<String>(SettingSpec(
        key: "greeting", type: .string, default: .string("Hello"),
        flags: ["--greeting"], section: "Greeter", reload: .nextWorkers,
        summary: "The word the greeter says before the name."))

    // One table per worker process: a route table holds functions, which are not Sendable.
    let router: ApplicationRouter<Greeter> = Router([
        Route("GET", "/hello/{name}", Greeter.greet),
        Route("GET", "/items/{id:int}", Greeter.item),
        Route("DELETE", "/items/{id:int}", Greeter.item),
    ])

    let greeting: String
    let slot: Int

    init(_ context: ApplicationContext) {
        greeting = context[Greeter.greeting]
        slot = context.slot
    }

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        router.respond(to: request, for: self)
    }

    func greet(_ r: RoutedRequest) throws -> HTTPResponse {
        var w = JSONWriter()
        w.beginObject()
        w.field("message", "\(greeting), \(r.parameters["name"] ?? "")!")
        w.field("slot", slot)
        w.endObject()
        return .json(200, w.string)
    }

    func item(_ r: RoutedRequest) throws -> HTTPResponse {
        .json(200, #"{"id":\#(r.parameters.int("id") ?? 0)}"#)
    }
}

PaddockMain.run("greeter", settings: [Greeter.greeting.spec]) { context in Greeter(context) }
