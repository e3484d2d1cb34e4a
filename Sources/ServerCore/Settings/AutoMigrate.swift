/// Whether a worker applies pending schema migrations at start (`auto_migrate`).
public enum AutoMigrate: String, Sendable, SettingChoice {
    /// On for SQLite, off for PostgreSQL.
    case auto
    case on
    case off
}
