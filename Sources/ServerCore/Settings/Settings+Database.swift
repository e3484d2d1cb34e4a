extension Settings {
    static let databaseSection = "Database"

    public static let databaseURL = Setting<String>(
        key: "database_url", default: "sqlite:///paddock.db",
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
        check: DatabaseURL.check)

    public static let dbConnectTimeout = Setting<Duration>(
        key: "db_connect_timeout", default: .seconds(5), min: .seconds(1), max: .seconds(300),
        flags: ["--db-connect-timeout"], section: databaseSection, reload: .nextWorkers,
        summary: "Longest wait for a PostgreSQL connection to open.",
        doc: "While the database is unreachable requests get 503 at once; a worker tries to reconnect at most a few times a second, and one attempt never blocks longer than this. libpq rounds it to whole seconds, at least 2.")

    public static let dbStatementTimeout = Setting<Duration>(
        key: "db_statement_timeout", default: .seconds(10), min: .zero, max: .seconds(86_400),
        flags: ["--db-statement-timeout"], section: databaseSection, reload: .nextWorkers,
        summary: "PostgreSQL cancels a statement running longer than this (`statement_timeout`). 0 disables.",
        doc: "Keep it below `timeout`, so a slow query fails with a 500 instead of the worker being killed mid-request. Through a pooler it is sent with every statement or transaction (`set_config(..., true)` in the same round trip), so it holds behind PgBouncer's transaction pooling too; on a direct connection (`db_prepared_statements = auto` finds it, or `on`) it is set once per connection instead. Except with `db_prepared_statements = on`, 0 sends nothing and leaves the server's own `statement_timeout` (for example `ALTER ROLE ... SET statement_timeout`) in force, which saves a statement per query (see docs/performance.md).")

    public static let dbPreparedStatements = Setting<PostgresStatementMode>(
        key: "db_prepared_statements", default: .auto,
        flags: ["--db-prepared-statements"], section: databaseSection, reload: .nextWorkers,
        summary: "How statements reach PostgreSQL: `auto` prepares them safely behind PgBouncer's transaction pooling too; `on` only for a direct connection or session pooling; `off` never.",
        doc: """
        `auto` (the default): on a direct connection, as `on` (found at connect: the server process id the \
        session reports is the one the connection was given at startup, which a pooler handing out transactions, \
        such as PgBouncer, never passes on, since it gives each client its own). Through a pooler: outside \
        explicit transactions, each statement is a named prepared statement whose \
        name is a hash of its text, executed in one round trip together with a transaction-local \
        `statement_timeout`. A server connection that lacks it (behind PgBouncer in transaction pooling mode, \
        the next transaction may run on another server connection) is given it in the same round trip; one that \
        has it already has the same text. A few such misses in a row and the statement runs unnamed. Inside \
        transactions statements are unnamed. Nothing relies on session state that PgBouncer does not carry over \
        (`TimeZone` and `DateStyle` it does). `on`: statements are prepared once per connection under fixed names \
        and `statement_timeout` is set once per session; behind a transaction-pooling PgBouncer before 1.21 (or \
        without `max_prepared_statements`) it fails with `prepared statement ... does not exist` or `already \
        exists`. `off`: every statement is unnamed, which costs the server parsing and planning it each time: \
        about twice the CPU of a single-row read (docs/performance.md).
        """)

    public static let autoMigrate = Setting<AutoMigrate>(
        key: "auto_migrate", default: .auto,
        flags: ["--auto-migrate"], section: databaseSection, reload: .nextWorkers,
        summary: "Apply pending schema migrations when a worker starts. `auto`: on for SQLite, off for PostgreSQL.",
        doc: "With it off, run `paddock migrate` before (or after) starting; until the tables exist workers answer 503 naming it. Migrations take a lock (PostgreSQL: a transaction-level advisory lock, which works behind PgBouncer; SQLite: `BEGIN IMMEDIATE`), so workers starting together apply them once. A worker that finds the database unreachable or the tables missing still starts, answers 503, and checks again (migrating, when on) until the database is ready.")

    static let database: [SettingSpec] = [databaseURL.spec, dbConnectTimeout.spec, dbStatementTimeout.spec, dbPreparedStatements.spec, autoMigrate.spec]
}
