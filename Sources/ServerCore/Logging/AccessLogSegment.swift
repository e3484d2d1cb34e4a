/// One piece of a compiled access log format.
public enum AccessLogSegment: Sendable, Equatable {
    /// Text copied as it is.
    case literal([UInt8])
    case atom(AccessLogAtom)
    /// `%({name}i)s`: a request header, or `-`.
    case requestHeader(String)
    /// `%({name}o)s`: a header the application set on the response, or `-`.
    case responseHeader(String)
}
