import Paddock

/// One list of twenty members answered two ways, byte for byte the same:
/// through `Codable` (`HTTPResponse.json(encoding:)`) and through the
/// JSON writer (`.json { writer in }`); bench/library.sh compares their cost.
extension Greeter {
    struct Member: Codable {
        var id: Int
        var name: String
        var email: String
        var active: Bool
    }

    static let roster = (1...20).map { Member(id: $0, name: "Member \($0)", email: "member\($0)@example.com", active: $0 % 3 != 0) }

    func rosterCodable(_ r: RoutedRequest) throws -> HTTPResponse {
        try .json(200, encoding: Greeter.roster)
    }

    func rosterWriter(_ r: RoutedRequest) throws -> HTTPResponse {
        .json(200) { w in
            w.beginArray()
            for m in Greeter.roster {
                w.beginObject()
                w.field("id", m.id)
                w.field("name", m.name)
                w.field("email", m.email)
                w.field("active", m.active)
                w.endObject()
            }
            w.endArray()
        }
    }
}
