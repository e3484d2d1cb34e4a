/// A stored note, as the API returns it.
public struct Note: Codable, Equatable, Sendable {
    public var id: Int
    public var text: String

    public init(id: Int, text: String) {
        self.id = id
        self.text = text
    }
}

/// The body of `POST /notes`.
struct NewNote: Codable {
    var text: String
}
