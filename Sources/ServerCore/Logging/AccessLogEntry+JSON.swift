extension AccessLogEntry {
    /// The JSON object for `access_log_json` (without the newline). The keys
    /// are fixed so collectors can rely on them; absent headers are null.
    func json() -> [UInt8] {
        var w = JSONWriter(capacity: 384)
        w.beginObject()
        w.field("remote_addr", clientAddress)
        w.field("time", Timestamp.iso8601UTC(epochSeconds: epochSeconds, nanoseconds: nanoseconds))
        w.field("method", request.method)
        w.field("path", request.path)
        w.field("query", request.query)
        w.field("protocol", proto)
        w.field("status", response.status)
        w.field("bytes", bytesSent)
        w.key("referer")
        if let referer = request.headers["Referer"] { w.value(referer) } else { w.null() }
        w.key("user_agent")
        if let agent = request.headers["User-Agent"] { w.value(agent) } else { w.null() }
        // Clamped: a UInt64 of nanoseconds / 1000 always fits, but Int is the JSON writer's type.
        w.field("duration_us", Int(clamping: durationNanoseconds / 1_000))
        w.field("request_id", requestID)
        w.field("pid", Int(pid))
        w.endObject()
        return w.bytes
    }
}
