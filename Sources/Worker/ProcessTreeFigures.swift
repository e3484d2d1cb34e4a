import ServerCore

/// The whole server's process figures and database totals, summed from the
/// master's area and every live worker's slot: each process publishes its
/// own, since a worker running as another user could not read the others'.
struct ProcessTreeFigures {
    var cpuNanoseconds: UInt64 = 0
    var rss: UInt64 = 0
    var pss: UInt64 = 0
    /// Whether every process summed published a PSS (the kernel has smaps_rollup).
    var pssKnown = true
    var openFDs: UInt64 = 0
    var maxFDs: UInt64 = 0
    var startTimeNanoseconds: UInt64 = 0
    var buckets = [UInt64](repeating: 0, count: DatabaseCounters.bucketCount)
    var durationSumNanoseconds: UInt64 = 0
    var errors = [UInt64](repeating: 0, count: DatabaseErrorClass.allCases.count)
    var reconnects: UInt64 = 0

    /// Sums the master's figures and the live workers'. The caller reads
    /// under the header's sequence, so a worker being retired is counted
    /// once: either in its slot or in the master's retired totals.
    init(master: MasterFigures, workers: [ScoreboardSlot]) {
        cpuNanoseconds = master.cpuNanoseconds &+ master.retiredCPUNanoseconds
        rss = master.rss
        pss = master.pss
        pssKnown = master.pss != 0
        openFDs = master.openFDs
        maxFDs = master.maxFDs
        startTimeNanoseconds = master.startTimeNanoseconds
        add(master.retiredDatabase)
        for w in workers {
            rss &+= w.rss
            guard let f = w.figures else { continue }
            cpuNanoseconds &+= f.cpuNanoseconds
            pss &+= f.pss
            pssKnown = pssKnown && f.pss != 0
            openFDs &+= f.openFDs
            add(f.database)
        }
    }

    mutating func add(_ block: DatabaseCounters) {
        for b in 0..<DatabaseCounters.bucketCount { buckets[b] &+= block.bucket(b) }
        durationSumNanoseconds &+= block.durationSumNanoseconds
        for c in DatabaseErrorClass.allCases { errors[c.rawValue] &+= block.errors(c) }
        reconnects &+= block.reconnects
    }

    /// The `process_*` and `paddock_db_*` series in the text format, with
    /// the HELP and TYPE lines of the Prometheus client libraries' process
    /// collector.
    func render(into out: inout String) {
        out += "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds (master and workers, including workers that exited).\n"
        out += "# TYPE process_cpu_seconds_total counter\n"
        out += "process_cpu_seconds_total \(Self.seconds(cpuNanoseconds))\n"
        out += "# HELP process_resident_memory_bytes Resident memory size in bytes (master and workers).\n"
        out += "# TYPE process_resident_memory_bytes gauge\n"
        out += "process_resident_memory_bytes \(rss)\n"
        if pssKnown {
            out += "# HELP paddock_memory_pss_bytes Proportional set size in bytes (master and workers): shared pages counted once.\n"
            out += "# TYPE paddock_memory_pss_bytes gauge\n"
            out += "paddock_memory_pss_bytes \(pss)\n"
        }
        out += "# HELP process_open_fds Number of open file descriptors (master and workers).\n"
        out += "# TYPE process_open_fds gauge\n"
        out += "process_open_fds \(openFDs)\n"
        out += "# HELP process_max_fds Maximum number of open file descriptors: the master's soft RLIMIT_NOFILE (each worker raises its own toward the hard limit).\n"
        out += "# TYPE process_max_fds gauge\n"
        out += "process_max_fds \(maxFDs)\n"
        if startTimeNanoseconds != 0 {
            out += "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds (the master).\n"
            out += "# TYPE process_start_time_seconds gauge\n"
            out += "process_start_time_seconds \(Self.seconds(startTimeNanoseconds))\n"
        }
        PrometheusHistogram.render("paddock_db_query_duration_seconds",
                                   help: "Time a database call took (query, execute, script, begin, commit).",
                                   bounds: DatabaseCounters.bucketBounds, buckets: buckets,
                                   sum: Self.seconds(durationSumNanoseconds), into: &out)
        out += "# HELP paddock_db_errors_total Database calls that failed, by class.\n"
        out += "# TYPE paddock_db_errors_total counter\n"
        for c in DatabaseErrorClass.allCases {
            out += "paddock_db_errors_total{class=\"\(c.label)\"} \(errors[c.rawValue])\n"
        }
        out += "# HELP paddock_db_reconnects_total Database connections re-established after the first.\n"
        out += "# TYPE paddock_db_reconnects_total counter\n"
        out += "paddock_db_reconnects_total \(reconnects)\n"
    }

    /// Nanoseconds as seconds, to the microsecond.
    static func seconds(_ ns: UInt64) -> String {
        let micros = ns / 1000
        let fraction = String(micros % 1_000_000)
        return "\(micros / 1_000_000).\(String(repeating: "0", count: 6 - fraction.count))\(fraction)"
    }
}
