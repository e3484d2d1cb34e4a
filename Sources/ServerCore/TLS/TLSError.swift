import CSSL

/// A TLS setup failure: what was being done, and OpenSSL's reasons (its
/// error queue, oldest first), e.g. "certfile /etc/paddock/cert.pem:
/// no start line".
public struct TLSError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ what: String) { description = what }

    /// `what`, followed by the reasons OpenSSL queued, which are consumed.
    static func fromQueue(_ what: String) -> TLSError {
        let reasons = TLSError.drainQueue()
        return TLSError(reasons.isEmpty ? what : "\(what): \(reasons)")
    }

    /// Empties this thread's OpenSSL error queue into one line.
    static func drainQueue() -> String {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            if let reason = ERR_reason_error_string(code) {
                reasons.append(String(cString: reason))
            } else {
                reasons.append("error \(code)")
            }
        }
        return reasons.joined(separator: "; ")
    }
}
