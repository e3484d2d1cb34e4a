import Posix

extension Settings {
    static let serverSection = "Server"

    /// Every element must be an address `SocketAddress(bind:)` understands.
    @Sendable static func checkAddresses(_ items: [String]) -> String? {
        for item in items where SocketAddress(bind: item) == nil {
            return "\"\(item)\" is not an address (HOST:PORT, [IPV6]:PORT, PORT or unix:PATH)"
        }
        return nil
    }

    public static let bind = Setting<[String]>(
        key: "bind", default: ["127.0.0.1:8000"],
        flags: ["--bind", "-b"], section: serverSection, reload: .restart,
        summary: "Addresses to listen on: HOST:PORT, [V6]:PORT or unix:PATH; repeatable.",
        doc: "Each address gets its own listening socket, bound by the master before any worker starts. With systemd socket activation, the passed sockets are used as they are and `bind` adds addresses only when set explicitly. `PORT` (set by container platforms) means `0.0.0.0:$PORT`, on every interface, as those platforms expect; as in gunicorn, `bind` in the config file, `PADDOCK_BIND` and `--bind` win over it.",
        aliases: [EnvironmentAlias("PORT", meaning: "binds `0.0.0.0:$PORT`", translate: { "0.0.0.0:" + $0.trimmingWhitespace() })],
        check: Settings.checkAddresses)

    public static let backlog = Setting<Int>(
        key: "backlog", default: 2048, min: 1, max: 65535,
        flags: ["--backlog"], section: serverSection, reload: .restart,
        summary: "Length of each listening socket's accept queue (listen(2) backlog).",
        doc: "The kernel caps it at net.core.somaxconn.")

    public static let pidfile = Setting<String>(
        key: "pidfile", default: "",
        flags: ["--pid", "-p"], section: serverSection, reload: .restart,
        summary: "Write the master's PID to this file (atomically); removed at exit. Empty: none.")

    public static let app = Setting<String>(
        key: "app", choices: ["users", "echo"], default: "users",
        flags: ["--app"], section: serverSection, reload: .nextWorkers,
        summary: "The built-in application the workers run.",
        doc: "`users` is the users/posts/auth JSON API on the database of `database_url`. `echo` answers /health and echoes any request on /echo as JSON (method, path, query, headers, body length and SHA-256), for testing proxies and load balancers without a database.")

    public static let workerBinary = Setting<String>(
        key: "worker_binary", default: "",
        flags: ["--worker-binary"], section: serverSection, reload: .nextWorkers,
        summary: "Executable the workers run instead of the master's own. Empty: the master's executable.",
        doc: "Workers are the application's own binary started with `--paddock-worker`, at the path the master resolved when it started, so a HUP after a deploy runs the new binary. Set this only to run workers through a wrapper (a profiler) that execs that binary with the arguments it was given.")

    public static let adminBind = Setting<[String]>(
        key: "admin_bind", default: [],
        flags: ["--admin-bind"], section: serverSection, reload: .restart,
        summary: "Addresses of the admin listener (/status, /metrics, /health, /health/ready); empty: none.",
        doc: "Served by the workers like the public listeners, but only the admin endpoints answer there, and they never answer on the public listeners. Keep it on loopback or a private network: /status shows what every worker is doing.",
        check: Settings.checkAddresses)

    public static let user = Setting<String>(
        key: "user", default: "",
        flags: ["--user", "-u"], section: serverSection, reload: .restart,
        summary: "Run workers as this user (name or id) when started as root; empty: as the master's user.",
        doc: "The master keeps root only to bind sockets and to create log files, which it hands to this user (with an existing SQLite database and its `-wal`/`-shm`). Workers drop to it before the application starts. The master never follows a symbolic link at those paths and changes owners only through the open file: a link, a hard-linked file or a database file that is not a regular file stops the start with an error naming it, and on `USR1` or rotation is logged while every process keeps its open file.")

    public static let group = Setting<String>(
        key: "group", default: "",
        flags: ["--group", "-g"], section: serverSection, reload: .restart,
        summary: "Run workers with this group (name or id); empty: the user's primary group.")

    public static let umask = Setting<String>(
        key: "umask", default: "022",
        flags: ["--umask", "-m"], section: serverSection, reload: .restart,
        summary: "File mode creation mask of the master and workers, in octal.",
        doc: "It can only take permissions away: log files are created 0640 and the SQLite database, `-wal` and `-shm` 0600 whatever the mask (existing files keep their mode).",
        check: { s in
            if let v = UInt32(s, radix: 8), v <= 0o777 { return nil }
            return "expected an octal mask such as 022 or 0007"
        })

    public static let procName = Setting<String>(
        key: "proc_name", default: "paddock",
        flags: ["--name", "-n"], section: serverSection, reload: .restart,
        summary: "Name in process titles: `ps` shows `paddock: master [NAME]` and `paddock: worker N [NAME]`.",
        doc: "Also the kernel's 15-byte process name (`/proc/PID/comm`, `top`, `pgrep`): NAME for the master, NAME-wN for worker N. gunicorn's `proc_name`; tell several instances on one host apart with it.",
        check: { name in
            if name.isEmpty { return "must not be empty" }
            return name.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } ? "must not contain control characters" : nil
        })

    static let server: [SettingSpec] = [bind.spec, backlog.spec, pidfile.spec, app.spec, workerBinary.spec, adminBind.spec,
                                        user.spec, group.spec, umask.spec, procName.spec]
}
