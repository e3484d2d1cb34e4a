extension Settings {
    static let connectionsSection = "Connections"

    public static let outputHighWater = Setting<Int>(SettingSpec(
        key: "output_high_water", type: .bytes, default: .int(65_536), min: 4096, max: 67_108_864,
        flags: ["--output-high-water"], section: connectionsSection, reload: .nextWorkers,
        summary: "Stop reading a connection's requests while this much of its output is unsent; resume below half of it.",
        doc: "Bounds what one client that pipelines requests and reads nothing can make a worker hold: about this much plus one response. A single response larger than this is still written whole."))

    public static let writeTimeout = Setting<Double>(SettingSpec(
        key: "write_timeout", type: .duration, default: .seconds(30), min: 0.001, max: 3600,
        flags: ["--write-timeout"], section: connectionsSection, reload: .nextWorkers,
        summary: "Close a connection whose client has accepted none of its pending output for this long.",
        doc: "Counted from the last byte the client accepted, not from the last request, so a client that keeps sending requests but reads nothing is still closed."))

    public static let adminConnections = Setting<Int>(SettingSpec(
        key: "admin_connections", type: .int, default: .int(16), min: 1, max: 10_000,
        flags: ["--admin-connections"], section: connectionsSection, reload: .nextWorkers,
        summary: "Connections per worker reserved for the admin listener, on top of worker_connections.",
        doc: "Public clients cannot take them, so /status and /metrics answer while the public listeners are full."))

    static let connections: [SettingSpec] = [outputHighWater.spec, writeTimeout.spec, adminConnections.spec]
}
