extension Settings {
    static let connectionsSection = "Connections"

    public static let outputHighWater = Setting<ByteCount>(
        key: "output_high_water", default: 65_536, min: 4096, max: 67_108_864,
        flags: ["--output-high-water"], section: connectionsSection, reload: .nextWorkers,
        summary: "Stop reading a connection's requests while this much of its output is unsent; resume below half of it.",
        doc: "Bounds what one client that pipelines requests and reads nothing can make a worker hold: about this much plus one response. A single response larger than this is still written whole.")

    public static let writeTimeout = Setting<Duration>(
        key: "write_timeout", default: .seconds(30), min: .milliseconds(1), max: .seconds(3600),
        flags: ["--write-timeout"], section: connectionsSection, reload: .nextWorkers,
        summary: "Close a connection whose client has accepted none of its pending output for this long.",
        doc: "Counted from the last byte the client accepted, not from the last request, so a client that keeps sending requests but reads nothing is still closed.")

    public static let lingerTime = Setting<Duration>(
        key: "linger_time", default: .seconds(2), min: .zero, max: .seconds(600),
        flags: ["--linger-time"], section: connectionsSection, reload: .nextWorkers,
        summary: "When a connection closes with input still unread (after an error response), how long its unread input is read and discarded.",
        doc: "The worker shuts its write side and reads until the client closes or this time ends (nginx's lingering close): closing a socket with unread input would make the kernel send a reset, which can destroy the response before the client reads it. 0 closes at once.")

    public static let adminConnections = Setting<Int>(
        key: "admin_connections", default: 16, min: 1, max: 10_000,
        flags: ["--admin-connections"], section: connectionsSection, reload: .nextWorkers,
        summary: "Connections per worker reserved for the admin listener, on top of worker_connections.",
        doc: "Public clients cannot take them, so /status and /metrics answer while the public listeners are full.")

    public static let proxyProtocol = Setting<Bool>(
        key: "proxy_protocol", default: false,
        flags: ["--proxy-protocol"], section: connectionsSection, reload: .nextWorkers,
        summary: "Expect a PROXY protocol header (v1 or v2) first on public connections from `proxy_allow_ips`.",
        doc: "What HAProxy's `send-proxy` / `send-proxy-v2` and AWS NLB send: the address it carries is the client's in the access log and the X-Forwarded-For logic. A connection from an allowed peer that does not start with a valid header is closed (the protocol forbids guessing); other peers are served as plain HTTP, and a header from them is refused. `UNKNOWN` and `LOCAL` headers (a proxy's own health checks) keep the peer's address. Not on the admin listener.")

    public static let proxyAllowIPs = Setting<[String]>(
        key: "proxy_allow_ips", default: ["127.0.0.1", "::1"],
        flags: ["--proxy-allow-from"], section: connectionsSection, reload: .nextWorkers,
        summary: "Peers whose connections start with a PROXY protocol header, when `proxy_protocol` is on; `*`: any.",
        doc: "Addresses and CIDR ranges (`10.0.0.0/8`, `fd00::/8`), as `forwarded_allow_ips`. Unix-socket peers are local and always allowed.",
        check: AddressMatcher.problem(in:))

    static let connections: [SettingSpec] = [outputHighWater.spec, writeTimeout.spec, lingerTime.spec, adminConnections.spec,
                                             proxyProtocol.spec, proxyAllowIPs.spec]
}
