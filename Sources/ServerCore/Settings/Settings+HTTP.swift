extension Settings {
    static let httpSection = "HTTP"

    public static let keepalive = Setting<Duration>(
        key: "keepalive", default: .seconds(65), min: .zero, max: .seconds(3600),
        flags: ["--keep-alive"], section: httpSection, reload: .nextWorkers,
        summary: "How long an idle keep-alive connection stays open. 0 disables keep-alive.",
        doc: "Keep it above the idle timeout of the load balancer in front (60 s on most cloud balancers), so the balancer, not Paddock, closes idle connections and never sends on a socket Paddock just closed.")

    public static let headerReadTimeout = Setting<Duration>(
        key: "header_read_timeout", default: .seconds(10), min: .milliseconds(1), max: .seconds(3600),
        flags: ["--header-read-timeout"], section: httpSection, reload: .nextWorkers,
        summary: "Time allowed to receive a request's line and headers once its first byte arrived.")

    public static let bodyReadTimeout = Setting<Duration>(
        key: "body_read_timeout", default: .seconds(30), min: .milliseconds(1), max: .seconds(3600),
        flags: ["--body-read-timeout"], section: httpSection, reload: .nextWorkers,
        summary: "Time allowed to receive a request's whole body after its headers.")

    public static let limitRequestLine = Setting<Int>(
        key: "limit_request_line", default: 8190, min: 64, max: 1_048_576,
        flags: ["--limit-request-line"], section: httpSection, reload: .nextWorkers,
        summary: "Longest request line in bytes; longer gets 414.")

    public static let limitRequestFields = Setting<Int>(
        key: "limit_request_fields", default: 100, min: 1, max: 32768,
        flags: ["--limit-request-fields"], section: httpSection, reload: .nextWorkers,
        summary: "Most header fields in a request; more gets 431.")

    public static let limitRequestFieldSize = Setting<Int>(
        key: "limit_request_field_size", default: 8190, min: 64, max: 1_048_576,
        flags: ["--limit-request-field_size", "--limit-request-field-size"], section: httpSection, reload: .nextWorkers,
        summary: "Longest header field (name, colon and value) in bytes; longer gets 431.")

    public static let maxBodySize = Setting<ByteCount>(
        key: "max_body_size", default: 1_048_576, min: 0, max: 1_099_511_627_776,
        flags: ["--max-body-size"], section: httpSection, reload: .nextWorkers,
        summary: "Largest request body after removing chunked coding; larger gets 413.")

    static let http: [SettingSpec] = [keepalive.spec, headerReadTimeout.spec, bodyReadTimeout.spec,
                                      limitRequestLine.spec, limitRequestFields.spec, limitRequestFieldSize.spec, maxBodySize.spec]
}
