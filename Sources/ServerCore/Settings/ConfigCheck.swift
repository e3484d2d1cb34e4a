import Posix

/// What `--check-config` runs beyond parsing: every check a worker would
/// otherwise make only when it starts, so a configuration that passes
/// starts workers. Each failure names the key, its value and its source.
public enum ConfigCheck {
    /// Throws the first problem: the access log format, the JWT key file, the
    /// directories of the log files, the pid file and a SQLite database.
    public static func run(_ configuration: Configuration, environment: [String: String]) throws(ConfigError) {
        try AccessLog.check(configuration: configuration)
        var config = configuration
        try JWTSecretFile.apply(to: &config, environment: environment)
        for setting in [Settings.errorlog, Settings.accesslog, Settings.pidfile] {
            try checkDirectory(of: config[setting], key: setting.key, config)
        }
        guard config[Settings.app] == "users" else { return }
        let url: DatabaseURL
        do throws(DatabaseURL.Problem) { url = try DatabaseURL.parse(config[Settings.databaseURL]) } catch {
            // The loader refuses such a URL already; a configuration built in code may not have been loaded.
            throw ConfigError("\(config.source(of: Settings.databaseURL.key)): database_url: \(error.message)")
        }
        if case .sqlite(let path) = url, path != ":memory:" {
            try checkDirectory(of: path, key: Settings.databaseURL.key, config)
        }
    }

    /// A file's directory must exist and be a directory; the file is created
    /// there (log, pid file, SQLite's `-wal` and `-shm`), so it must be writable
    /// too, except as root, where the master creates the files and access(2) tells nothing.
    static func checkDirectory(of path: String, key: String, _ config: Configuration) throws(ConfigError) {
        guard !path.isEmpty, path != "-", !path.hasPrefix("/dev/") else { return }
        let directory = path.lastIndex(of: "/").map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let shown = key == Settings.databaseURL.key ? DatabaseURL.redacting(config[Settings.databaseURL]) : path
        let prefix = "\(config.source(of: key)): \(key) = \(shown)"
        let status: FileStatus?
        do { status = try Files.status(directory) } catch {
            throw ConfigError("\(prefix): cannot examine directory \(directory): \(error)")
        }
        guard let status else { throw ConfigError("\(prefix): directory \(directory) does not exist") }
        guard status.isDirectory else { throw ConfigError("\(prefix): \(directory) is not a directory") }
        if Process.userID != 0 && !Files.isWritable(directory) {
            throw ConfigError("\(prefix): directory \(directory) is not writable by this user")
        }
    }
}
