import Posix

/// `jwt_secret_key_file`: the master reads the key from a file (at start,
/// for `--check-config`, and on every HUP) and puts it into
/// `jwt_secret_key`, which workers receive with the rest of the resolved
/// configuration. Workers never read the file: they may not be allowed to.
public enum JWTSecretFile {
    /// Where systemd puts `LoadCredential=` files for the service.
    public static let credentialsVariable = "CREDENTIALS_DIRECTORY"
    /// Below this many bytes a key is accepted with a warning.
    public static let recommendedBytes = 32
    /// A longer file is not a key (a wrong path, say `/dev/zero`).
    static let maximumBytes = 64 << 10

    /// The file to read: `path` as it is when absolute, else under
    /// `$CREDENTIALS_DIRECTORY` when that is set, else as it is (relative to
    /// the working directory, like every other path setting).
    public static func resolve(_ path: String, environment: [String: String]) -> String {
        guard !path.hasPrefix("/"), let directory = environment[credentialsVariable], !directory.isEmpty else { return path }
        return directory.hasSuffix("/") ? directory + path : directory + "/" + path
    }

    /// Fills `jwt_secret_key` from `jwt_secret_key_file` when that is set.
    /// Throws, naming the key and the path, when the file cannot be read or
    /// is empty, or when `jwt_secret_key` is set as well.
    public static func apply(to config: inout Configuration, environment: [String: String]) throws(ConfigError) {
        let file = config[Settings.jwtSecretKeyFile]
        guard !file.isEmpty else { return }
        let fileSource = config.source(of: Settings.jwtSecretKeyFile.key)
        // Flask's JWT_SECRET_KEY / SECRET_KEY are often set for other reasons
        // (sessions): the file, named for Paddock, wins over them.
        if !config[Settings.jwtSecretKey].isEmpty && !setByAlias(config) {
            throw ConfigError("\(fileSource): jwt_secret_key_file is set, and so is jwt_secret_key (\(config.source(of: Settings.jwtSecretKey.key))): set only one")
        }
        let path = resolve(file, environment: environment)
        let bytes: [UInt8]
        do { bytes = try Files.read(path, limit: maximumBytes) } catch {
            throw ConfigError("\(fileSource): jwt_secret_key_file: cannot read \(path): \(error)")
        }
        var end = bytes.endIndex
        while end > bytes.startIndex, bytes[end - 1] == UInt8(ascii: "\n") || bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        guard end > bytes.startIndex else {
            throw ConfigError("\(fileSource): jwt_secret_key_file: \(path) is empty")
        }
        config.set(Settings.jwtSecretKey.key, .string(String(decoding: bytes[..<end], as: UTF8.self)), from: .file(path: path, line: 1))
    }

    /// Whether `jwt_secret_key` came from `JWT_SECRET_KEY` or `SECRET_KEY` rather than a Paddock name.
    static func setByAlias(_ config: Configuration) -> Bool {
        let aliases = Settings.jwtSecretKey.spec.aliases.map(\.name)
        switch config.source(of: Settings.jwtSecretKey.key) {
        case .environment(let name), .dotenv(_, _, let name): return aliases.contains(name)
        default: return false
        }
    }

    /// A warning when the key was given on the command line, where every
    /// local user can read it (`ps`, `/proc/PID/cmdline`).
    public static func commandLineWarning(_ config: Configuration) -> String? {
        guard case .commandLine(let flag) = config.source(of: Settings.jwtSecretKey.key) else { return nil }
        return "jwt_secret_key is given on the command line (\(flag)), where every local user can read it (ps, /proc/PID/cmdline); use jwt_secret_key_file, the config file or PADDOCK_JWT_SECRET_KEY"
    }

    /// A warning when the key is shorter than 32 bytes (still accepted:
    /// existing deployments have such keys and their tokens).
    public static func lengthWarning(_ config: Configuration) -> String? {
        let length = config[Settings.jwtSecretKey].utf8.count
        guard length > 0 && length < recommendedBytes else { return nil }
        return "jwt_secret_key (\(config.source(of: Settings.jwtSecretKey.key))) is \(length) bytes long; use at least \(recommendedBytes) random bytes (openssl rand -hex 32)"
    }
}
