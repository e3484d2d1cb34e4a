import PaddockSQL

extension Hello {
    /// The schema, versioned: append migrations, never edit a released one.
    static let migrations = MigrationRunner(migrations: [
        Migration(version: 1, name: "create notes",
                  postgres: "CREATE TABLE notes (id SERIAL PRIMARY KEY, text TEXT NOT NULL)",
                  sqlite: "CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT, text TEXT NOT NULL)"),
    ])

    // Values are always bound parameters, never text in the SQL.
    static let insertNote = SQLStatement("hello.insert_note", "INSERT INTO notes (text) VALUES ($1) RETURNING id")
    static let noteByID = SQLStatement("hello.note_by_id", "SELECT id, text FROM notes WHERE id = $1")
    static let allNotes = SQLStatement("hello.all_notes", "SELECT id, text FROM notes ORDER BY id LIMIT 100")
}
