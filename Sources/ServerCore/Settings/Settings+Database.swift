extension Settings {
    static let databaseSection = "Database"

    public static let databaseURL = Setting<String>(SettingSpec(
        key: "database_url", type: .string, default: .string("sqlite:///paddock.db"),
        flags: ["--database-url"], section: databaseSection, reload: .nextWorkers,
        summary: "The `users` application's database: a SQLite file or a PostgreSQL server.",
        doc: """
        `sqlite:///paddock.db` is relative to the working directory, `sqlite:////var/lib/paddock/app.db` is \
        absolute and `sqlite:///:memory:` is a private in-memory database (tests only: every worker would get its own). \
        `postgresql://user:password@host:port/dbname?sslmode=require` (or `postgres://`) is handed to libpq as it is, \
        so every libpq URI parameter works; SQLAlchemy's `postgresql+psycopg2://` and `postgresql+psycopg://` \
        are read as `postgresql://`. `DATABASE_URL` sets it too, below the config file. The scheme and syntax (port, `%` escapes, query) are checked with the \
        other settings, so `--check-config` and a reload refuse a URL no worker could use. Each worker holds one connection. The password may also come from \
        `~/.pgpass` or `PGPASSWORD`, which keeps it out of the configuration.
        """, secret: true,
        aliases: [EnvironmentAlias("DATABASE_URL")],
        check: DatabaseURL.check))

    public static let dbConnectTimeout = Setting<Double>(SettingSpec(
        key: "db_connect_timeout", type: .duration, default: .seconds(5), min: 1, max: 300,
        flags: ["--db-connect-timeout"], section: databaseSection, reload: .nextWorkers,
        summary: "Longest wait for a PostgreSQL connection to open.",
        doc: "While the database is unreachable requests get 503 at once; a worker tries to reconnect at most a few times a second, and one attempt never blocks longer than this. libpq rounds it to whole seconds, at least 2."))

    public static let dbStatementTimeout = Setting<Double>(SettingSpec(
        key: "db_statement_timeout", type: .duration, default: .seconds(10), min: 0, max: 86400,
        flags: ["--db-statement-timeout"], section: databaseSection, reload: .nextWorkers,
        summary: "PostgreSQL cancels a statement running longer than this (`statement_timeout`). 0 disables.",
        doc: "Keep it below `timeout`, so a slow query fails with a 500 instead of the worker being killed mid-request."))

    public static let autoMigrate = Setting<String>(SettingSpec(
        key: "auto_migrate", type: .choice(["auto", "on", "off"]), default: .string("auto"),
        flags: ["--auto-migrate"], section: databaseSection, reload: .nextWorkers,
        summary: "Apply pending schema migrations when a worker starts. `auto`: on for SQLite, off for PostgreSQL.",
        doc: "With it off, run `paddock migrate` before starting; a worker refuses to start when the tables are missing. Migrations take a lock (PostgreSQL advisory lock, SQLite `BEGIN IMMEDIATE`), so workers starting together apply them once."))

    static let database: [SettingSpec] = [databaseURL.spec, dbConnectTimeout.spec, dbStatementTimeout.spec, autoMigrate.spec]
}
