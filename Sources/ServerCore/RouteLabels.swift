/// The `route` label values a worker counts requests under, by index:
/// `other` (no route matched), `health` (`/health`, `/health/ready`), then
/// the application's route templates. The request counters store the index;
/// the table is built once at worker start, so counting builds no string.
///
/// Every worker of a server runs the same executable and so the same table:
/// the worker that renders `/metrics` labels every worker's counts with its own.
public struct RouteLabels: Sendable {
    public static let other = 0
    public static let health = 1
    /// Templates beyond this are counted as `other`: the counters key a
    /// route index in 6 bits (see `RequestCounters.codeKey`).
    public static let maxTemplates = 61

    /// Label values, already escaped for the exposition format.
    public let labels: [String]

    public init(templates: [String]) {
        labels = ["other", "health"] + templates.prefix(RouteLabels.maxTemplates).map(RouteLabels.escaped)
    }

    /// The counter index for a response's `routeTemplate`.
    @inline(__always)
    public func index(ofTemplate template: Int?) -> Int {
        guard let template, template >= 0, template < labels.count - 2 else { return RouteLabels.other }
        return template + 2
    }

    /// The index a counted route is shown under: one this table does not
    /// know (counted by another build) is shown as `other`.
    public func shown(_ index: Int) -> Int { index >= 0 && index < labels.count ? index : RouteLabels.other }

    static func escaped(_ value: String) -> String {
        var out = ""
        for c in value {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }
}
