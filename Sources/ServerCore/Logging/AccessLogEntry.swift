/// Everything one access log line is made from, gathered once so the text
/// and JSON renderers read the same values.
struct AccessLogEntry {
    let request: HTTPRequest
    let response: HTTPResponse
    /// After `ProxyTrust`: the client, not necessarily the peer.
    let clientAddress: String
    let requestID: String
    let durationNanoseconds: UInt64
    let bytesSent: Int
    let pid: Int32
    /// Wall clock when the line is written.
    let epochSeconds: Int64
    let nanoseconds: Int64

    var proto: String { "HTTP/1.\(request.minorVersion)" }
}
