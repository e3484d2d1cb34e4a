import Glibc
import XCTest
@testable import ServerCore

/// The variables a Flask deployment already sets, the `.env` file, where
/// each value came from, and the database URL check the master shares with
/// the worker.
final class FlaskEnvironmentTests: XCTestCase {
    private let noDefault = "/nonexistent/paddock-test/server.conf"
    private let noEnvFile = "/nonexistent/paddock-test/.env"

    private func load(_ arguments: [String] = [], env: [String: String] = [:],
                      envFile: String? = nil) throws -> LoadedConfiguration {
        try ConfigLoader.load(arguments: arguments, environment: env, defaultConfigPath: noDefault,
                              defaultEnvFilePath: envFile ?? noEnvFile)
    }

    func testFlaskVariablesSetTheirSettings() throws {
        let c = try load(env: [
            "DATABASE_URL": "postgresql+psycopg2://app:pw@db:5432/app",
            "JWT_SECRET_KEY": "jwt-key", "SECRET_KEY": "flask-key",
            "PORT": "5000", "WEB_CONCURRENCY": "7", "CORS_ORIGINS": "https://a.example,https://b.example",
            "LOG_LEVEL": "WARN",
        ]).configuration
        XCTAssertEqual(c[Settings.databaseURL], "postgresql+psycopg2://app:pw@db:5432/app")
        XCTAssertEqual(try DatabaseURL.parse(c[Settings.databaseURL]), .postgres(uri: "postgresql://app:pw@db:5432/app"))
        XCTAssertEqual(c[Settings.jwtSecretKey], "jwt-key", "JWT_SECRET_KEY wins over SECRET_KEY, as in flask-jwt-extended")
        XCTAssertEqual(c[Settings.bind], ["0.0.0.0:5000"], "PORT binds every interface, as container platforms expect")
        XCTAssertEqual(c[Settings.workers], 7)
        XCTAssertEqual(c[Settings.corsOrigins], ["https://a.example", "https://b.example"])
        XCTAssertEqual(c[Settings.loglevel], .warning)
        XCTAssertEqual(c.source(of: "bind"), .environment("PORT"))
        XCTAssertEqual(c.source(of: "workers"), .environment("WEB_CONCURRENCY"))
    }

    func testSecretKeyIsTheFallback() throws {
        let c = try load(env: ["SECRET_KEY": "flask-key"]).configuration
        XCTAssertEqual(c[Settings.jwtSecretKey], "flask-key")
        XCTAssertEqual(c.source(of: "jwt_secret_key"), .environment("SECRET_KEY"))
    }

    func testPaddockVariablesAndFlagsWinOverAliases() throws {
        let file = try writeConfig("workers = 2\nbind = 127.0.0.1:9000\n")
        let env = ["WEB_CONCURRENCY": "7", "PADDOCK_WORKERS": "4", "PORT": "5000", "DATABASE_URL": "postgres://x@h/db"]
        let c = try load(["-c", file, "--database-url", "sqlite:///flag.db"], env: env).configuration
        XCTAssertEqual(c[Settings.workers], 4, "PADDOCK_WORKERS wins over WEB_CONCURRENCY")
        XCTAssertEqual(c[Settings.bind], ["127.0.0.1:9000"], "the config file wins over PORT, as in gunicorn")
        XCTAssertEqual(c[Settings.databaseURL], "sqlite:///flag.db", "a flag wins over DATABASE_URL")
        let fileOnly = try load(["-c", file], env: ["WEB_CONCURRENCY": "7"]).configuration
        XCTAssertEqual(fileOnly[Settings.workers], 2, "the config file wins over WEB_CONCURRENCY, as in gunicorn")
        XCTAssertEqual(fileOnly.source(of: "workers"), .file(path: file, line: 1))
    }

    func testABadAliasValueNamesTheVariable() {
        XCTAssertThrowsError(try load(env: ["PORT": "http"])) { error in
            XCTAssertEqual("\(error)", #"PORT: invalid value "0.0.0.0:http" for bind: "0.0.0.0:http" is not an address (HOST:PORT, [IPV6]:PORT, PORT or unix:PATH)"#)
        }
        XCTAssertThrowsError(try load(env: ["WEB_CONCURRENCY": "many"])) { error in
            XCTAssertTrue("\(error)".hasPrefix("WEB_CONCURRENCY: invalid value \"many\" for workers"), "\(error)")
        }
    }

    func testAnOverriddenAliasIsNotEvenParsed() throws {
        // PORT and LOG_LEVEL may belong to something else in the environment.
        let env = ["LOG_LEVEL": "verbose", "PORT": "http"]
        XCTAssertThrowsError(try load(env: env))
        let file = try writeConfig("loglevel = info\n")
        XCTAssertEqual(try load(["-c", file, "--bind", "127.0.0.1:8000"], env: env).configuration[Settings.loglevel], .info)
        XCTAssertEqual(try load(["--log-level", "error"], env: ["LOG_LEVEL": "verbose", "PADDOCK_BIND": "127.0.0.1:1"])
            .configuration[Settings.bind], ["127.0.0.1:1"])
    }

    func testDotEnvFillsOnlyWhatTheEnvironmentLacks() throws {
        let envFile = try writeConfig("# deployment\nDATABASE_URL=postgresql://app@db/app\nexport PORT=6000\nPADDOCK_TIMEOUT=12\n",
                                      named: ".env")
        let loaded = try load(env: ["PORT": "7000"], envFile: envFile)
        let c = loaded.configuration
        XCTAssertEqual(loaded.envFilePath, envFile)
        XCTAssertEqual(c[Settings.databaseURL], "postgresql://app@db/app")
        XCTAssertEqual(c.source(of: "database_url"), .dotenv(path: envFile, line: 2, name: "DATABASE_URL"))
        XCTAssertEqual(c[Settings.bind], ["0.0.0.0:7000"], "a real variable is never overridden by the file")
        XCTAssertEqual(c.source(of: "bind"), .environment("PORT"))
        XCTAssertEqual(c[Settings.timeout], .seconds(12))
        let printed = c.printable()
        XCTAssertTrue(printed.contains("# database_url: \(envFile):2 DATABASE_URL\n"), printed)
        XCTAssertTrue(printed.contains("# bind: env PORT\n"), printed)
    }

    func testAsRootAnEnvFileOthersCanWriteIsRefused() throws {
        try XCTSkipUnless(getuid() == 0, "only root refuses such a file")
        let envFile = try writeConfig("PADDOCK_WORKER_BINARY=/tmp/planted\n", named: ".env")
        XCTAssertEqual(chmod(envFile, 0o666), 0)
        XCTAssertThrowsError(try load(envFile: envFile)) { error in
            XCTAssertTrue("\(error)".hasPrefix("refusing \(envFile): as root, an env file must be owned by root"), "\(error)")
        }
        XCTAssertEqual(chown(envFile, 65534, 0), 0)
        XCTAssertEqual(chmod(envFile, 0o644), 0)
        XCTAssertThrowsError(try load(envFile: envFile), "owned by another user")
        XCTAssertEqual(chown(envFile, 0, 0), 0)
        XCTAssertEqual(try load(envFile: envFile).configuration[Settings.workerBinary], "/tmp/planted")
        let link = envFile + ".link"
        XCTAssertEqual(symlink(envFile, link), 0)
        XCTAssertThrowsError(try load(envFile: link), "the implicit ./.env is never a link followed as root")
        XCTAssertEqual(try load(["--env-file", link]).configuration[Settings.workerBinary], "/tmp/planted",
                       "a file the operator named may be a link, checked where it leads")
    }

    func testEnvFileFlagMustNameAFile() throws {
        XCTAssertThrowsError(try load(["--env-file", "/nonexistent/paddock-test/prod.env"])) { error in
            XCTAssertTrue("\(error)".hasPrefix("cannot read env file /nonexistent/paddock-test/prod.env"), "\(error)")
        }
        let named = try writeConfig("WEB_CONCURRENCY=5\n", named: "prod.env")
        XCTAssertEqual(try load(["--env-file", named]).configuration[Settings.workers], 5)
    }

    func testDotEnvErrorsNameTheLine() throws {
        let envFile = try writeConfig("PORT=8000\nWEB_CONCURRENCY=lots\nnot a binding\n", named: ".env")
        XCTAssertThrowsError(try load(envFile: envFile)) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(envFile):2 WEB_CONCURRENCY: invalid value \"lots\" for workers"), "\(error)")
        }
        let skipped = try writeConfig("PORT=8000\nnot a binding\n", named: ".env")
        XCTAssertEqual(try load(envFile: skipped).warnings, ["\(skipped):2: cannot parse this line; it is skipped"])
    }

    func testTheKeyFileWinsOverFlaskSecretKey() throws {
        let key = try writeConfig("file-key\n", named: "jwt")
        var c = try load(["--jwt-secret-key-file", key], env: ["SECRET_KEY": "flask-session-key"]).configuration
        XCTAssertNoThrow(try JWTSecretFile.apply(to: &c, environment: [:]))
        XCTAssertEqual(c[Settings.jwtSecretKey], "file-key")
        var both = try load(["--jwt-secret-key-file", key], env: ["PADDOCK_JWT_SECRET_KEY": "k"]).configuration
        XCTAssertThrowsError(try JWTSecretFile.apply(to: &both, environment: [:]), "Paddock's own two names still clash")
    }

    func testDatabaseURLIsCheckedWhenLoaded() throws {
        XCTAssertThrowsError(try load(["--database-url", "mysql://x"])) { error in
            XCTAssertEqual("\(error)", #"--database-url: invalid value "mysql://x" for database_url: unsupported scheme "mysql://" (use sqlite:///file.db or postgresql://user@host/db)"#)
        }
        XCTAssertThrowsError(try load(env: ["DATABASE_URL": "postgresql://app:hunter2@db:54x2/app"])) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix(#"DATABASE_URL: invalid value "postgresql://app:***@db:54x2/app" for database_url: invalid port "54x2""#), message)
            XCTAssertFalse(message.contains("hunter2"), "the password never appears in a message")
        }
        for good in ["sqlite:///paddock.db", "sqlite:////var/lib/paddock/app.db", "sqlite:///:memory:", "postgres://u@h/db",
                     "postgresql+psycopg://u@h:5432/db?sslmode=require", "postgresql://u@%2Fvar%2Frun%2Fpostgresql/db",
                     "postgresql://h1:5432,h2:5433/db", "postgresql://[::1]:5432/db"] {
            XCTAssertNoThrow(try load(["--database-url", good]), good)
        }
        for bad in ["sqlite://relative.db", "sqlite:///", "postgresql://u@h/db?sslmode", "postgresql://u@h/d%zz", "paddock.db",
                    "postgresql://u@[::1/db"] {
            XCTAssertThrowsError(try load(["--database-url", bad]), bad)
        }
    }

    func testDatabaseURLForms() throws {
        XCTAssertEqual(try DatabaseURL.parse("sqlite:///relative/app.db"), .sqlite(path: "relative/app.db"))
        XCTAssertEqual(try DatabaseURL.parse("sqlite:////abs/app.db"), .sqlite(path: "/abs/app.db"))
        XCTAssertEqual(try DatabaseURL.parse("postgres://u@h/db"), .postgres(uri: "postgres://u@h/db"), "libpq's own forms pass as written")
        XCTAssertEqual(try DatabaseURL.parse("postgresql+psycopg2://u:p@h/db"), .postgres(uri: "postgresql://u:p@h/db"))
        XCTAssertEqual(try DatabaseURL.parse("PostgreSQL://u@h/db"), .postgres(uri: "postgresql://u@h/db"), "libpq wants lower case")
        XCTAssertEqual(DatabaseURL.redacting("postgresql://u:p@ss@h/db"), "postgresql://u:***@h/db")
        XCTAssertEqual(DatabaseURL.redacting("postgresql://u@h/db"), "postgresql://u@h/db")
    }

    func testCheckFindsMissingDirectories() throws {
        let directory = try temporaryDirectory().path
        var c = try load(["--error-logfile", "\(directory)/missing/error.log"]).configuration
        XCTAssertThrowsError(try ConfigCheck.run(c, environment: [:])) { error in
            XCTAssertEqual("\(error)", "command line --error-logfile: errorlog = \(directory)/missing/error.log: directory \(directory)/missing does not exist")
        }
        c = try load(["--database-url", "sqlite:///\(directory)/nodir/app.db"]).configuration
        XCTAssertThrowsError(try ConfigCheck.run(c, environment: [:])) { error in
            XCTAssertTrue("\(error)".contains("database_url = sqlite:///\(directory)/nodir/app.db: directory \(directory)/nodir does not exist"), "\(error)")
        }
        let file = try writeConfig("x")
        c = try load(["--access-logfile", "\(file)/access.log"]).configuration
        XCTAssertThrowsError(try ConfigCheck.run(c, environment: [:]), "a file where the directory should be")
        c = try load(["--error-logfile", "\(directory)/error.log", "--database-url", "sqlite:///\(directory)/app.db",
                      "--pid", "\(directory)/paddock.pid"]).configuration
        XCTAssertNoThrow(try ConfigCheck.run(c, environment: [:]))
    }

    func testApplicationSettingsAreCheckedWhenLoaded() {
        XCTAssertThrowsError(try load(["--password-scrypt-n", "30000"])) { error in
            XCTAssertTrue("\(error)".contains("must be a power of two"), "\(error)")
        }
        XCTAssertThrowsError(try load(["--name", ""]))
    }

    func testAliasesAreDocumented() {
        let md = SettingsDocs.markdown()
        for name in ["DATABASE_URL", "JWT_SECRET_KEY", "SECRET_KEY", "PORT", "WEB_CONCURRENCY", "CORS_ORIGINS", "LOG_LEVEL"] {
            XCTAssertTrue(md.contains("`\(name)`"), name)
        }
        XCTAssertTrue(md.contains("`PADDOCK_BIND`, `PORT` (binds `0.0.0.0:$PORT`)"))
    }
}
