import Paddock
import PaddockSQL

extension UsersApplication {
    /// Shortest time between two schema checks while the schema is not ready.
    static let schemaRecheckInterval: UInt64 = 250_000_000

    /// Returns once the schema has been checked (migrated, with
    /// `auto_migrate`); until then throws why not: `DatabaseError`
    /// (`unavailable` while the database cannot be reached) or `SchemaError`
    /// naming `paddock migrate`. Checks at most every
    /// `schemaRecheckInterval`, answering with the last reason in between, so
    /// a worker that started before its database (or before the migration)
    /// serves as soon as both are there.
    func ensureSchema() throws {
        if schemaReady { return }
        let now = Clock.monotonicNanoseconds()
        if now < nextSchemaCheck, let schemaProblem { throw schemaProblem }
        nextSchemaCheck = now + Self.schemaRecheckInterval
        do {
            try checkSchema()
        } catch {
            let known = schemaProblem.map { "\($0)" }
            schemaProblem = error
            switch error {
            case let e as DatabaseError where e.kind == .unavailable:
                noteDatabase(up: false, cause: e.description)
            case is SchemaError:
                if known != "\(error)" { logger.error("database schema not ready: \(error)") }
            default:
                // The caller reports it: a worker that fails to start, a 500.
                break
            }
            throw error
        }
        if schemaProblem != nil { logger.info("database schema ready") }
        noteDatabase(up: true, cause: nil)
        schemaProblem = nil
        schemaReady = true
    }

    /// Connects, then migrates (`auto_migrate`) or checks that the tables exist.
    private func checkSchema() throws {
        try db.connect()
        if autoMigrate {
            try Migrations.migrate(db, logger: logger)
            recordsTokenValidity = true
            keepsListCounts = true
            return
        }
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
}
