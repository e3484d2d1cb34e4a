extension Settings {
    static let authSection = "Authentication"

    public static let jwtSecretKey = Setting<String>(
        key: "jwt_secret_key", default: "", defaultDescription: "random, per master start",
        flags: ["--jwt-secret-key"], section: authSection, reload: .nextWorkers,
        summary: "HS256 key that signs and verifies access and refresh tokens.",
        doc: "Empty: the master generates a random key at start and hands it to every worker, so tokens stay valid across workers and reloads but not across restarts. Set it (the value of Flask's `JWT_SECRET_KEY`) to accept tokens issued by another deployment. As with flask-jwt-extended, `JWT_SECRET_KEY` in the environment sets it, else `SECRET_KEY`; `jwt_secret_key_file` wins over both. Use at least 32 random bytes (`openssl rand -hex 32`); a shorter key is accepted with a warning. On the command line every local user can read it (`ps`), which the master warns about: prefer `jwt_secret_key_file`, the config file (mode 0640) or `PADDOCK_JWT_SECRET_KEY`.",
        secret: true, aliases: [EnvironmentAlias("JWT_SECRET_KEY"), EnvironmentAlias("SECRET_KEY")])

    public static let jwtSecretKeyFile = Setting<String>(
        key: "jwt_secret_key_file", default: "",
        flags: ["--jwt-secret-key-file"], section: authSection, reload: .nextWorkers,
        summary: "File holding `jwt_secret_key` (trailing newlines stripped); a relative path is looked up in `$CREDENTIALS_DIRECTORY` when systemd sets it.",
        doc: "Keeps the key off the command line and out of the config file. The master reads it at start and on every `HUP` (workers started after the reload use the new key) and hands it to workers as it does `jwt_secret_key`; a missing, unreadable or empty file is a configuration error, and so is setting both. A relative path is looked up in `$CREDENTIALS_DIRECTORY` when that is set, so with systemd's `LoadCredential=jwt:/etc/paddock/jwt` the setting is just `jwt`; otherwise it is relative to the working directory. Trailing newlines and carriage returns are stripped (`openssl rand -hex 32 > file` works as it is).")

    public static let jwtAccessTokenExpires = Setting<Duration>(
        key: "jwt_access_token_expires", default: .seconds(900), min: .seconds(1), max: .seconds(31_536_000),
        flags: ["--jwt-access-token-expires"], section: authSection, reload: .nextWorkers,
        summary: "Lifetime of an access token.")

    public static let jwtRefreshTokenExpires = Setting<Duration>(
        key: "jwt_refresh_token_expires", default: .seconds(2_592_000), min: .seconds(1), max: .seconds(315_360_000),
        flags: ["--jwt-refresh-token-expires"], section: authSection, reload: .nextWorkers,
        summary: "Lifetime of a refresh token.")

    public static let passwordScryptN = Setting<Int>(
        key: "password_scrypt_n", default: 32768, min: 1024, max: 1_048_576,
        flags: ["--password-scrypt-n"], section: authSection, reload: .nextWorkers,
        summary: "scrypt cost (N, a power of two) for new password hashes.",
        doc: "32768 is Werkzeug's default: about 64 ms of one core and 32 MiB per hash, which bounds logins per second per core. Must be a power of two (checked with the other settings, so `--check-config` and a reload refuse any other number). Stored hashes keep the cost they were made with, so changing it never locks anyone out.",
        check: { n in
            return n > 0 && n & (n - 1) == 0 ? nil : "must be a power of two (32768, 65536, ...)"
        })

    public static let corsOrigins = Setting<[String]>(
        key: "cors_origins", default: [],
        flags: ["--cors-origin"], section: authSection, reload: .nextWorkers,
        summary: "Origins allowed to call the API from a browser (`https://app.example.com`); `*` allows any. Empty: no CORS headers.",
        doc: "Preflight `OPTIONS` requests from a listed origin get 204 with the allowed methods and headers; responses to a listed origin carry `Access-Control-Allow-Origin` and `Vary: Origin`. `CORS_ORIGINS` (Flask-CORS's setting, comma-separated) sets it too.",
        aliases: [EnvironmentAlias("CORS_ORIGINS")])

    static let auth: [SettingSpec] = [jwtSecretKey.spec, jwtSecretKeyFile.spec, jwtAccessTokenExpires.spec, jwtRefreshTokenExpires.spec,
                                      passwordScryptN.spec, corsOrigins.spec]
}
