@testable import Worker

/// One request a valid corpus file must produce.
struct ExpectedRequest {
    var method = "GET"
    var target: String? = nil  // defaults to path + "?" + query
    var path: String
    var query = ""
    var minorVersion = 1
    var headerCount = 1
    var headers: [(String, String)] = []  // a subset to check by name
    var body = ""
    var keepAlive = true
    var isHead = false
}

/// The expected requests of every file in `Corpus/valid`, and how many good requests come
/// before the failure in files of `Corpus/invalid` (none unless listed).
enum HTTP1CorpusExpectations {
    static let valid: [String: [ExpectedRequest]] = [
        "get-simple.http": [ExpectedRequest(path: "/health", headers: [("host", "x")])],
        "pipelined-pair.http": [
            ExpectedRequest(path: "/a", query: "x=1"),
            ExpectedRequest(method: "POST", path: "/b", headerCount: 2, body: "hello"),
        ],
        "pipelined-mixed.http": [
            ExpectedRequest(method: "HEAD", path: "/h", isHead: true),
            ExpectedRequest(method: "PUT", path: "/c", headerCount: 2, body: "abcde"),
            ExpectedRequest(path: "/last", headerCount: 2, keepAlive: false),
        ],
        "chunked-extensions-trailers.http": [
            ExpectedRequest(method: "POST", path: "/upload", headerCount: 2, body: "hello world"),
        ],
        "chunked-uppercase-hex.http": [
            ExpectedRequest(method: "POST", path: "/hex", headerCount: 2, body: "0123456789"),
        ],
        "expect-continue.http": [
            ExpectedRequest(method: "POST", path: "/e", headerCount: 3, body: "data"),
        ],
        "expect-continue-chunked.http": [
            ExpectedRequest(method: "POST", path: "/e", headerCount: 3, body: "abc"),
        ],
        "http12-as-http11.http": [ExpectedRequest(path: "/health", minorVersion: 1, headers: [("host", "x")])],
        "http19-chunked-close.http": [
            ExpectedRequest(method: "POST", path: "/up", minorVersion: 1, headerCount: 3, body: "abc", keepAlive: false),
        ],
        "http10-keepalive.http": [
            ExpectedRequest(path: "/old", minorVersion: 0, headers: [("Connection", "Keep-Alive")]),
        ],
        "http10-default-close.http": [
            ExpectedRequest(path: "/old", minorVersion: 0, headerCount: 0, keepAlive: false),
        ],
        "http10-expect-ignored.http": [
            ExpectedRequest(method: "POST", path: "/old", minorVersion: 0, headerCount: 2, body: "ok", keepAlive: false),
        ],
        "crlf-between-pipelined.http": [
            ExpectedRequest(method: "POST", path: "/p", headerCount: 2, body: "hi"),
            ExpectedRequest(path: "/q"),
        ],
        "connection-close.http": [ExpectedRequest(path: "/", headerCount: 2, keepAlive: false)],
        "absolute-form.http": [
            ExpectedRequest(target: "http://example.com:8080/p/q?x=1&y", path: "/p/q", query: "x=1&y"),
        ],
        "absolute-form-empty-path.http": [
            ExpectedRequest(target: "HTTPS://example.com?x", path: "/", query: "x"),
        ],
        "head.http": [ExpectedRequest(method: "HEAD", path: "/page", isHead: true)],
        "post-empty-body.http": [ExpectedRequest(method: "POST", path: "/empty", headerCount: 2)],
        "leading-crlf.http": [ExpectedRequest(path: "/after-crlf")],
        "percent-encoded-path.http": [ExpectedRequest(path: "/a%20b/%E2%82%ac", query: "q=%41+b&r")],
        "options-asterisk.http": [ExpectedRequest(method: "OPTIONS", path: "*")],
        "lowercase-method.http": [ExpectedRequest(method: "get", path: "/")],
        "ows-trimmed-values.http": [
            ExpectedRequest(path: "/", headerCount: 3,
                            headers: [("Host", "x"), ("X-Empty", ""), ("x-obs", "caf\u{FFFD}")]),
        ],
        "host-ipv6-port.http": [ExpectedRequest(path: "/", headers: [("Host", "[::1]:8080")])],
        "host-ipv4.http": [ExpectedRequest(path: "/", headers: [("Host", "127.0.0.1")])],
        "content-length-repeated-equal.http": [
            ExpectedRequest(method: "POST", path: "/r", headerCount: 3, body: "abc"),
        ],
        "request-line-at-limit.http": [
            ExpectedRequest(path: "/" + String(repeating: "a", count: HTTP1Corpus.limits.requestLine - 14)),
        ],
        "field-at-limit.http": [
            ExpectedRequest(path: "/", headerCount: 2,
                            headers: [("X-Pad", String(repeating: "a", count: HTTP1Corpus.limits.fieldSize - 7))]),
        ],
        "field-count-at-limit.http": [ExpectedRequest(path: "/", headerCount: HTTP1Corpus.limits.fieldCount)],
        "body-at-limit.http": [
            ExpectedRequest(method: "POST", path: "/big", headerCount: 2,
                            body: String(repeating: "b", count: HTTP1Corpus.limits.bodySize)),
        ],
        "chunked-at-limit.http": [
            ExpectedRequest(method: "POST", path: "/big", headerCount: 2,
                            body: String(repeating: "c", count: HTTP1Corpus.limits.bodySize)),
        ],
    ]

    /// Invalid files that start with good requests: exactly these are returned, then the failure.
    static let requestsBeforeFailure: [String: Int] = [
        "400-after-valid-request.http": 1,
        "400-bad-second-pipelined.http": 1,
    ]
}
