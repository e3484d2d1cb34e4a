extension Settings {
    static let loggingSection = "Logging"

    public static let loglevel = Setting<LogLevel>(
        key: "loglevel", default: .info,
        flags: ["--log-level"], section: loggingSection, reload: .live,
        summary: "Least severe level written to the error log.",
        doc: "`LOG_LEVEL` sets it too, in any case, with Python's names (`WARN` is `warning`, `FATAL` is `critical`).",
        aliases: [EnvironmentAlias("LOG_LEVEL", translate: { text in
            switch text.trimmingWhitespace().lowercased() {
            case "warn": return "warning"
            case "fatal": return "critical"
            default: return text
            }
        })])

    public static let errorlog = Setting<String>(
        key: "errorlog", default: "-",
        flags: ["--error-logfile", "--log-file"], section: loggingSection, reload: .live,
        summary: "Error log file; `-` is standard error (journald under systemd).",
        doc: "Created 0640 if missing. A symbolic link at the path is never followed (`/dev/stdout` and `/dev/stderr` mean the streams themselves).")

    public static let logFormat = Setting<LogFormat>(
        key: "log_format", default: .text,
        flags: ["--log-format"], section: loggingSection, reload: .live,
        summary: "Error log lines as text (`time level pid= slot= message`) or as JSON objects, one per line.",
        doc: "JSON lines have the keys `time`, `level`, `pid`, `slot` (null in the master) and `message`, for collectors that parse JSON without a pattern.")

    public static let accesslog = Setting<String>(
        key: "accesslog", default: "",
        flags: ["--access-logfile", "--accesslog"], section: loggingSection, reload: .nextWorkers,
        summary: "Access log file; `-` is standard output; empty: no access log.",
        doc: "Every worker appends to the same file with `O_APPEND` and writes each line with one `write(2)`, so lines from different workers never interleave mid-line. Created 0640 if missing; a symbolic link at the path is never followed (`/dev/stdout` and `/dev/stderr` mean the streams themselves).")

    public static let accessLogFormat = Setting<String>(
        key: "access_log_format", default: #"%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s""#,
        flags: ["--access-logformat", "--access-log-format"], section: loggingSection, reload: .nextWorkers,
        summary: "Access log line in gunicorn's `%(atom)s` syntax; the default is Apache's combined format.",
        doc: """
        Atoms: `h` client address, `l` `-`, `u` user from Basic auth, `t` time as `[10/Oct/2000:13:55:36 +0000]`, \
        `r` request line, `m` method, `U` path, `q` query, `H` protocol, `s` status, `B` body bytes, \
        `b` body bytes or `-` when none, `f` referer, `a` user agent, `T` whole seconds, `D` microseconds, \
        `L` decimal seconds, `p` `<pid>`, `request_id` the request id, `{name}i` a request header, \
        `{name}o` a response header set by the application. `%%` is a literal `%`. \
        Values from the client are escaped (`"`, `\\` and control characters as `\\xHH`), so a line cannot be forged. \
        An unknown atom is a configuration error.
        """,
        check: { text in
            do throws(AccessLogFormatError) { _ = try AccessLogFormat(parsing: text); return nil } catch { return error.message }
        })

    public static let accessLogJSON = Setting<Bool>(
        key: "access_log_json", default: false,
        flags: ["--access-log-json"], section: loggingSection, reload: .nextWorkers,
        summary: "Write the access log as JSON lines with fixed keys instead of `access_log_format`.",
        doc: "Keys: `remote_addr`, `time`, `method`, `path`, `query`, `protocol`, `status`, `bytes`, `referer`, `user_agent`, `duration_us`, `request_id`, `pid`.")

    public static let logMaxBytes = Setting<ByteCount>(
        key: "log_max_bytes", default: 0, min: 0, max: 1_099_511_627_776,
        flags: ["--log-max-bytes"], section: loggingSection, reload: .live,
        summary: "Rotate the error and access log files when they reach this size; 0: never.",
        doc: "Like Python's RotatingFileHandler: the master renames `file` to `file.1`, `file.1` to `file.2` and so on, then tells every process to reopen. Lines written in between land in the renamed file, so none are lost. Standard error and standard output are never rotated; use 0 with an external logrotate and `USR1`.")

    public static let logBackupCount = Setting<Int>(
        key: "log_backup_count", default: 5, min: 0, max: 1000,
        flags: ["--log-backup-count"], section: loggingSection, reload: .live,
        summary: "Rotated files kept (`file.1` ... `file.N`); 0 disables rotation, as in Python.",
        doc: "Truncating in place instead would lose lines other processes are still writing, so with 0 nothing rotates.")

    public static let forwardedAllowIPs = Setting<[String]>(
        key: "forwarded_allow_ips", default: ["127.0.0.1", "::1"],
        flags: ["--forwarded-allow-ips"], section: loggingSection, reload: .nextWorkers,
        summary: "Proxy addresses or CIDR ranges whose X-Forwarded-For and X-Forwarded-Proto are believed; `*`: any.",
        doc: "Entries are addresses (`127.0.0.1`, `::1`) or ranges (`10.0.0.0/8`, `fd00::/8`), as in gunicorn; `*` trusts every peer, for container networks whose addresses change. An IPv4-mapped IPv6 peer (`::ffff:10.0.0.1`) matches IPv4 ranges. The client address is the right-most X-Forwarded-For hop that is not one of these proxies (unlike gunicorn, which takes the first hop, which any client can forge); with `*` every hop is trusted and it is the first. Requests on Unix sockets come from a local proxy and are always trusted.",
        check: AddressMatcher.problem(in:))

    public static let accessLogExclude = Setting<[String]>(
        key: "access_log_exclude", default: [], flags: ["--access-log-exclude"], section: loggingSection,
        reload: .nextWorkers, summary: "Request paths (exact, without the query) left out of the access log, such as `/health`; still counted in metrics.")

    static let logging: [SettingSpec] = [loglevel.spec, errorlog.spec, logFormat.spec, accesslog.spec, accessLogFormat.spec,
                                         accessLogJSON.spec, logMaxBytes.spec, logBackupCount.spec, forwardedAllowIPs.spec,
                                         accessLogExclude.spec]
}
