/// A named value in an access log format: `%(h)s` is `.remoteAddress`.
/// The names are gunicorn's, plus `request_id`.
public enum AccessLogAtom: String, Sendable, CaseIterable {
    /// `h`: the client address (see `ProxyTrust`), `-` on a Unix socket.
    case remoteAddress = "h"
    /// `l`: always `-` (identd, never used).
    case remoteLogname = "l"
    /// `u`: the user from Basic authentication, or `-`.
    case user = "u"
    /// `t`: `[10/Oct/2000:13:55:36 +0000]`.
    case time = "t"
    /// `r`: `GET /path?q HTTP/1.1`.
    case requestLine = "r"
    /// `m`: the method.
    case method = "m"
    /// `U`: the path, without the query.
    case path = "U"
    /// `q`: the query, without `?`.
    case query = "q"
    /// `H`: `HTTP/1.1`.
    case proto = "H"
    /// `s`: the status code.
    case status = "s"
    /// `B`: response body bytes sent.
    case bodyBytes = "B"
    /// `b`: response body bytes sent, `-` when none (Apache's CLF).
    case bodyBytesOrDash = "b"
    /// `f`: the Referer header, or `-`.
    case referer = "f"
    /// `a`: the User-Agent header, or `-`.
    case userAgent = "a"
    /// `T`: the duration in whole seconds.
    case seconds = "T"
    /// `D`: the duration in microseconds.
    case microseconds = "D"
    /// `L`: the duration in seconds with six decimals.
    case decimalSeconds = "L"
    /// `p`: `<pid>`, as gunicorn writes it.
    case pid = "p"
    /// `request_id`: the id from `AccessLog.requestID(for:)`.
    case requestID = "request_id"
}
