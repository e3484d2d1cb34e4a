import Paddock
import PaddockSQL

/// A row of `users`.
struct User {
    var id: Int
    var email: String
    var name: String
    var passwordHash: String
    var createdAt: String
    var updatedAt: String

    /// The select list every user query uses, in this order.
    static let columns = "id, email, name, password_hash, created_at, updated_at"

    init(row: DatabaseRow) throws {
        guard let id = row.int(0), let email = row.text(1), let name = row.text(2), let hash = row.text(3),
              let created = row.text(4), let updated = row.text(5) else {
            throw DatabaseError(.other, call: "users", message: "unexpected NULL or non-integer id in a users row")
        }
        self.id = id
        self.email = email
        self.name = name
        self.passwordHash = hash
        self.createdAt = created
        self.updatedAt = updated
    }

    /// The public form (never the hash), keys sorted as Flask's `jsonify` sorts them.
    func write(to w: inout JSONWriter) {
        w.beginObject()
        w.field("created_at", DatabaseTimestamp.apiFormat(createdAt))
        w.field("email", email)
        w.field("id", id)
        w.field("name", name)
        w.field("updated_at", DatabaseTimestamp.apiFormat(updatedAt))
        w.endObject()
    }

    var json: String {
        var w = JSONWriter(capacity: 192)
        write(to: &w)
        return w.string
    }
}
