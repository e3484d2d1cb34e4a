/// gunicorn's setting names and what each means for Paddock: the table
/// `GunicornConfig` reads with and docs/deploy.md's migration table describes.
enum GunicornNames {
    enum Meaning: Equatable {
        /// The Paddock setting with this key.
        case setting(String)
        /// Known to gunicorn, meaningless here; the reason goes into the warning.
        case notApplicable(String)

        var isNotApplicable: Bool {
            if case .notApplicable = self { return true }
            return false
        }
    }

    /// gunicorn name -> Paddock key, where they differ or match.
    static let settings: [String: String] = [
        "proxy_protocol": "proxy_protocol", "proxy_allow_ips": "proxy_allow_ips",
        "bind": "bind", "backlog": "backlog", "workers": "workers", "worker_connections": "worker_connections",
        "timeout": "timeout", "graceful_timeout": "graceful_timeout", "keepalive": "keepalive",
        "max_requests": "max_requests", "max_requests_jitter": "max_requests_jitter",
        "accesslog": "accesslog", "errorlog": "errorlog", "loglevel": "loglevel", "access_log_format": "access_log_format",
        "pidfile": "pidfile", "user": "user", "group": "group", "umask": "umask",
        "limit_request_line": "limit_request_line", "limit_request_fields": "limit_request_fields",
        "limit_request_field_size": "limit_request_field_size", "forwarded_allow_ips": "forwarded_allow_ips",
        "proc_name": "proc_name", "reuse_port": "reuse_port",
        "certfile": "certfile", "keyfile": "keyfile", "ca_certs": "ca_certs", "cert_reqs": "cert_reqs", "ciphers": "ciphers",
    ]

    static let notApplicable: [String: String] = [
        "worker_class": "every Paddock worker is one event loop serving many connections (like gevent, without monkey-patching)",
        "threads": "a worker runs the application one request at a time; raise workers instead",
        "preload_app": "workers are fresh processes (spawned, not forked), so there is nothing to preload",
        "daemon": "Paddock stays in the foreground; run it under systemd or a container runtime",
        "reload": "send HUP after a deploy: workers are replaced one at a time with the new code",
        "reload_engine": "there is no code reloader; send HUP", "reload_extra_files": "there is no code reloader; send HUP",
        "chdir": "start Paddock in the directory (systemd WorkingDirectory=, the container's WORKDIR)",
        "raw_env": "set variables in the environment or a .env file",
        "wsgi_app": "Paddock runs its built-in application (app)", "pythonpath": "there is no Python application to import",
        "paste": "there is no Python application to import", "worker_tmp_dir": "heartbeats are in shared memory, not files",
        "tmp_upload_dir": "request bodies are held in memory (max_body_size)", "sendfile": "responses are small JSON documents",
        "spew": "there is no Python tracer", "check_config": "use paddock --check-config", "print_config": "use paddock --print-config",
        "capture_output": "workers write to the error log directly", "enable_stdio_inheritance": "workers write to the error log directly",
        "logger_class": "the logger is built in (log_format chooses text or JSON)",
        "logconfig": "use errorlog, loglevel and log_format", "logconfig_dict": "use errorlog, loglevel and log_format",
        "logconfig_json": "use errorlog, loglevel and log_format",
        "syslog": "log to standard error under systemd (journald)", "syslog_addr": "log to standard error under systemd (journald)",
        "syslog_prefix": "log to standard error under systemd (journald)", "syslog_facility": "log to standard error under systemd (journald)",
        "disable_redirect_access_to_syslog": "there is no syslog output",
        "statsd_host": "use the Prometheus /metrics endpoint on admin_bind", "statsd_prefix": "use the Prometheus /metrics endpoint on admin_bind",
        "dogstatsd_tags": "use the Prometheus /metrics endpoint on admin_bind",
        "default_proc_name": "use proc_name", "initgroups": "the user's groups are set when workers drop privileges",
        "secure_scheme_headers": "X-Forwarded-Proto is believed from forwarded_allow_ips",
        "strip_header_spaces": "header names with spaces are always refused",
        "ssl_version": "Paddock accepts TLS 1.2 and 1.3 and never 1.0 or 1.1; set the oldest with ssl_min_version (TLSv1.2, the default, or TLSv1.3)",
        "do_handshake_on_connect": "Paddock always completes the handshake in the worker's event loop, without blocking, before reading the first request",
        "suppress_ragged_eofs": "Paddock always reads a client's EOF without close_notify as the end of the connection, quietly (suppress_ragged_eofs = True)",
        "forwarder_headers": "only X-Forwarded-For and X-Forwarded-Proto are read",
        "header_map": "header names with underscores are always refused",
    ]

    /// `cert_reqs` as gunicorn takes it: Python's `ssl.CERT_*` numbers.
    static let certReqsNumbers: [Int: ClientCertificatePolicy] = [0: .none, 1: .optional, 2: .required]

    /// Limits where gunicorn reads 0 as "unlimited".
    static let zeroMeansUnlimited: Set<String> = ["limit_request_line", "limit_request_field_size"]

    /// Server hooks: functions gunicorn calls, which Paddock never will.
    static let hooks: Set<String> = [
        "on_starting", "on_reload", "when_ready", "pre_fork", "post_fork", "post_worker_init", "worker_int",
        "worker_abort", "pre_exec", "pre_request", "post_request", "child_exit", "worker_exit", "nworkers_changed",
        "on_exit", "ssl_context",
    ]

    static var allNames: [String] { (Array(settings.keys) + Array(notApplicable.keys) + Array(hooks)).sorted() }

    /// gunicorn's names first; then Paddock's own keys, so a gunicorn.conf.py
    /// can also set `admin_bind` or `shutdown_delay` (gunicorn ignores names it does not know).
    static func meaning(of name: String, paddockKeys: Set<String>) -> Meaning? {
        if let key = settings[name] { return .setting(key) }
        if let why = notApplicable[name] { return .notApplicable(why) }
        if hooks.contains(name) { return .notApplicable("server hooks are not supported") }
        if paddockKeys.contains(name) { return .setting(name) }
        return nil
    }

    /// A warning for a value that works but is likely a leftover of gunicorn's defaults.
    static func advice(name: String, value: PythonValue) -> String? {
        guard name == "keepalive" else { return nil }
        let seconds: Double
        switch value {
        case .int(let n): seconds = Double(n)
        case .float(let d): seconds = d
        default: return nil
        }
        guard seconds > 0 && seconds < 60 else { return nil }
        return "keepalive = \(value.description) closes idle connections after \(value.description) s (gunicorn's value for a sync worker without a proxy); behind a load balancer keep it above the balancer's idle timeout (60 s on most; Paddock's default is 65 s), or the balancer may send on a connection Paddock just closed"
    }
}
