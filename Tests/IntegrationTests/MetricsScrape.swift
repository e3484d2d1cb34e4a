import Foundation
import Glibc
import TestSupport

/// One `/metrics` page from the admin listener, by series.
struct MetricsScrape {
    let lines: [String]

    init(adminSocket: String) throws {
        let page = try HTTPTestClient(unixPath: adminSocket).request("GET", "/metrics", close: true)
        guard page.status == 200 else { throw ServerError(message: "/metrics answered \(page.status)") }
        lines = page.bodyText.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
    }

    /// The value of the series written exactly `series` (name and labels).
    func value(_ series: String) -> Double? {
        lines.first { $0.hasPrefix(series + " ") }.flatMap { Double($0.dropFirst(series.count + 1)) }
    }

    /// The sum of every series of the metric `name` (all labels).
    func sum(_ name: String) -> Double {
        lines.filter { $0.hasPrefix(name + "{") || $0.hasPrefix(name + " ") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
            .reduce(0, +)
    }
}

/// What the test itself reads of a process in /proc.
enum ProcFigures {
    /// Entries of /proc/PID/fd.
    static func openDescriptors(_ pid: Int32) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []).count
    }

    /// VmRSS of /proc/PID/status in bytes.
    static func residentBytes(_ pid: Int32) -> Int {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return (Int(line.dropFirst(6).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "") ?? 0) * 1024
        }
        return 0
    }

    /// The process's start, in seconds since the Unix epoch: field 22 of
    /// /proc/PID/stat (clock ticks after boot) plus `btime` of /proc/stat.
    static func startTime(_ pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")"),
              let system = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let btime = system.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }).flatMap({ Double($0.dropFirst(6)) })
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let ticks = Double(fields[19]) else { return nil }
        return btime + ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
