/// Prometheus text for one histogram: HELP and TYPE, the cumulative
/// buckets (`buckets` holds one count per bound, then the overflow), the
/// sum as given and the count.
enum PrometheusHistogram {
    static func render(_ name: String, help: String, bounds: [Double], buckets: [UInt64], sum: String, into out: inout String) {
        out += "# HELP \(name) \(help)\n"
        out += "# TYPE \(name) histogram\n"
        var cumulative: UInt64 = 0
        for (b, bound) in bounds.enumerated() {
            cumulative &+= buckets[b]
            out += "\(name)_bucket{le=\"\(bound)\"} \(cumulative)\n"
        }
        cumulative &+= buckets[bounds.count]
        out += "\(name)_bucket{le=\"+Inf\"} \(cumulative)\n"
        out += "\(name)_sum \(sum)\n"
        out += "\(name)_count \(cumulative)\n"
    }
}
