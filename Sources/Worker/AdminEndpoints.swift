import Posix
import ServerCore

/// `/status` and `/metrics` for the admin listener (`admin_bind`), built from
/// the scoreboard every worker maps: any worker answers for all of them.
struct AdminEndpoints {
    let scoreboard: Scoreboard
    /// Public listeners, for the accept-queue gauge.
    let listeners: [(address: String, fd: FileDescriptor)]
    /// The `route` label of each counted route index (this worker's
    /// application's templates, which every worker shares).
    var routes = RouteLabels(templates: [])

    /// Entries worth reading: the master reuses the lowest free entry, so
    /// live ones sit at the low end.
    func liveEntries() -> [ScoreboardSlot] {
        var out: [ScoreboardSlot] = []
        for i in 0..<scoreboard.slots {
            let e = scoreboard.slot(i)
            if e.state != .empty && e.pid != 0 { out.append(e) }
        }
        return out
    }

    /// One entry per slot, in slot order: during a hand-over a slot has an
    /// old worker and its replacement, and the newest one speaks for it (a
    /// series must not appear twice with the same labels).
    static func currentBySlot(_ entries: [ScoreboardSlot]) -> [ScoreboardSlot] {
        var newest: [Int32: ScoreboardSlot] = [:]
        for e in entries {
            if let other = newest[e.slotNumber], other.bootTime > e.bootTime { continue }
            newest[e.slotNumber] = e
        }
        return newest.keys.sorted().map { newest[$0]! }
    }

    func status(now: UInt64) -> HTTPResponse {
        let header = scoreboard.header
        var w = JSONWriter(capacity: 2048)
        w.beginObject()
        w.key("master")
        w.beginObject()
        w.field("pid", Int(header.masterPid))
        w.field("generation", Int(header.generation))
        w.field("workers", Int(header.targetWorkers))
        w.field("started_at", Int(header.startedAt))
        w.endObject()
        w.key("workers")
        w.beginArray()
        for e in liveEntries().sorted(by: { ($0.slotNumber, $0.pid) < ($1.slotNumber, $1.pid) }) {
            w.beginObject()
            w.field("slot", Int(e.slotNumber))
            w.field("pid", Int(e.pid))
            w.field("generation", Int(e.generation))
            w.field("state", e.state.description)
            w.field("accepting", e.listening)
            w.field("connections", Int(e.connections))
            w.field("requests", Int(e.requests))
            w.field("rss_bytes", Int(e.rss))
            let hb = e.heartbeat
            w.field("heartbeat_age_ms", hb > 0 && now > hb ? Int((now - hb) / 1_000_000) : 0)
            let start = e.requestStart
            if start != 0 {
                w.field("current_request", e.currentRequest)
                w.field("current_request_ms", now > start ? Int((now - start) / 1_000_000) : 0)
            } else {
                w.key("current_request"); w.null()
            }
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "application/json")]), body: w.bytes)
    }

    func metrics() -> HTTPResponse {
        let header = scoreboard.header
        let live = liveEntries()
        // Sum under the header's sequence: retry if the master folded an exited
        // worker's counters meanwhile, so each request counts exactly once.
        var cells = [UInt64](repeating: 0, count: RequestCounters.statusClasses)
        var codes: [Int: UInt64] = [:]   // route index * 1024 + code
        var codesFull = false
        var buckets = [UInt64](repeating: 0, count: RequestCounters.bucketCount)
        var sum: UInt64 = 0
        var tree: ProcessTreeFigures?
        for _ in 0..<100 {
            let before = header.sequence
            if before & 1 == 1 { continue }
            cells = cells.map { _ in 0 }
            codes.removeAll(keepingCapacity: true)
            codesFull = false
            buckets = buckets.map { _ in 0 }
            sum = 0
            // An adopted worker of another executable keeps counters this one cannot read.
            for block in [header.retired] + live.filter(\.countersReadable).map(\.counters) {
                for c in 1...RequestCounters.statusClasses { cells[c - 1] &+= block.count(statusClass: c) }
                block.forEachCode { r, code, n in codes[routes.shown(r) * 1024 + code, default: 0] &+= n }
                codesFull = codesFull || block.codesFull
                for b in 0..<RequestCounters.bucketCount { buckets[b] &+= block.bucket(b) }
                sum &+= block.latencySumNanoseconds
            }
            tree = scoreboard.masterFigures.map { ProcessTreeFigures(master: $0, workers: live) }
            if header.sequence == before { break }
        }
        var out = ""
        BuildInfo.render(into: &out)
        // Absent on a board of another layout (after an upgrade, until the master restarts).
        tree?.render(into: &out)
        out += "# HELP paddock_requests_total Requests answered, by route template and status code.\n"
        out += "# TYPE paddock_requests_total counter\n"
        var exact = [UInt64](repeating: 0, count: RequestCounters.statusClasses)
        for key in codes.keys.sorted() {
            let n = codes[key]!
            exact[RequestCounters.statusClass(key % 1024) - 1] &+= n
            out += "paddock_requests_total{route=\"\(routes.labels[key / 1024])\",status=\"\(key % 1024)\"} \(n)\n"
        }
        // Codes that found no room of their own (a block's table is full):
        // by class, their route unknown.
        for c in 1...RequestCounters.statusClasses where codesFull && cells[c - 1] > exact[c - 1] {
            out += "paddock_requests_total{route=\"other\",status=\"\(c)xx\"} \(cells[c - 1] - exact[c - 1])\n"
        }
        PrometheusHistogram.render("paddock_request_duration_seconds", help: "Time from a complete request to its response.",
                                   bounds: RequestCounters.bucketBounds, buckets: buckets, sum: "\(Double(sum) / 1e9)", into: &out)
        out += "# HELP paddock_workers Worker processes by state.\n# TYPE paddock_workers gauge\n"
        for st in [WorkerActivity.booting, .idle, .reading, .handling, .writing, .keepAlive, .draining] {
            out += "paddock_workers{state=\"\(st)\"} \(live.filter { $0.state == st }.count)\n"
        }
        out += "# HELP paddock_workers_target Workers the master keeps running.\n# TYPE paddock_workers_target gauge\n"
        out += "paddock_workers_target \(header.targetWorkers)\n"
        out += "# HELP paddock_worker_restarts_total Workers replaced, by reason.\n# TYPE paddock_worker_restarts_total counter\n"
        for r in RestartReason.allCases {
            out += "paddock_worker_restarts_total{reason=\"\(r.label)\"} \(header.restarts(r))\n"
        }
        out += "# HELP paddock_worker_timeouts_total Workers killed for exceeding timeout.\n# TYPE paddock_worker_timeouts_total counter\n"
        out += "paddock_worker_timeouts_total \(header.restarts(.timeout))\n"
        out += "# HELP paddock_connections Open client connections.\n# TYPE paddock_connections gauge\n"
        out += "paddock_connections \(live.reduce(0) { $0 + Int($1.connections) })\n"
        out += "# HELP paddock_worker_rss_bytes Resident memory of each slot's worker.\n# TYPE paddock_worker_rss_bytes gauge\n"
        // By slot only: a pid label would start new series at every restart.
        for e in AdminEndpoints.currentBySlot(live) { out += "paddock_worker_rss_bytes{slot=\"\(e.slotNumber)\"} \(e.rss)\n" }
        out += "# HELP paddock_listen_queue Connections waiting in a listener's accept queue (TCP_INFO).\n# TYPE paddock_listen_queue gauge\n"
        // Unix sockets have no TCP_INFO: their queue is not reported.
        for l in listeners where !l.address.hasPrefix("unix:") {
            do {
                let q = try Socket.listenQueue(l.fd)
                out += "paddock_listen_queue{listener=\"\(l.address)\"} \(q.queued)\n"
            } catch {
                out += "# paddock_listen_queue{listener=\"\(l.address)\"} unavailable: \(error)\n"
            }
        }
        out += "# HELP paddock_generation Configuration generation new workers run.\n# TYPE paddock_generation gauge\n"
        out += "paddock_generation \(header.generation)\n"
        return HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "text/plain; version=0.0.4")]), body: Array(out.utf8))
    }
}
