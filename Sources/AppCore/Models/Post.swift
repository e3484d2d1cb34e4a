import Paddock
import PaddockSQL

/// A row of `posts`.
struct Post {
    var id: Int
    var userID: Int
    var title: String
    var content: String
    var createdAt: String
    var updatedAt: String

    /// The select list every post query uses, in this order.
    static let columns = "id, user_id, title, content, created_at, updated_at"

    init(row: DatabaseRow) throws {
        guard let id = row.int(0), let userID = row.int(1), let title = row.text(2), let content = row.text(3),
              let created = row.text(4), let updated = row.text(5) else {
            throw DatabaseError(.other, call: "posts", message: "unexpected NULL or non-integer id in a posts row")
        }
        self.id = id
        self.userID = userID
        self.title = title
        self.content = content
        self.createdAt = created
        self.updatedAt = updated
    }

    /// Keys sorted as Flask's `jsonify` sorts them.
    func write(to w: inout JSONWriter) {
        w.beginObject()
        w.field("content", content)
        w.field("created_at", DatabaseTimestamp.apiFormat(createdAt))
        w.field("id", id)
        w.field("title", title)
        w.field("updated_at", DatabaseTimestamp.apiFormat(updatedAt))
        w.field("user_id", userID)
        w.endObject()
    }

    var json: String {
        var w = JSONWriter(capacity: 256)
        write(to: &w)
        return w.string
    }
}
