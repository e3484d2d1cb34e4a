import CSSL
import Posix

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

    /// OpenSSL 3's ERR_SYSTEM_FLAG: the code carries an errno.
    private static let systemErrorFlag: UInt = 1 << 31

    /// Empties this thread's OpenSSL error queue into one line.
    static func drainQueue() -> String {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            let reason: String
            if code & systemErrorFlag != 0 {
                // A failed system call (ERR_SYSTEM_ERROR): the errno is the rest of the code.
                reason = Errno(rawValue: Int32(truncatingIfNeeded: code & ~systemErrorFlag)).description
            } else if let text = ERR_reason_error_string(code) {
                reason = String(cString: text)
            } else {
                reason = "error \(code)"
            }
            if reasons.last != reason { reasons.append(reason) }
        }
        return reasons.joined(separator: "; ")
    }
}
