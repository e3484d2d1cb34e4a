import CTLSShims
import Posix

/// Whether `ssl_ktls` can take effect here: the kernel must offer the `tls`
/// upper-layer protocol and OpenSSL must have been built with kTLS;
/// otherwise OpenSSL encrypts in the worker without a word. The master says
/// which at debug level, so an operator who asked for it can tell.
public enum KernelTLS {
    /// The kernel's list of TCP upper-layer protocols it can attach now.
    public static let ulpListPath = "/proc/sys/net/ipv4/tcp_available_ulp"

    /// Whether this OpenSSL was built with kTLS.
    public static var isBuiltIntoOpenSSL: Bool { paddock_tls_ktls_built() == 1 }

    /// The debug line for `ssl_ktls = true`: `ulps` is the text of
    /// `tcp_available_ulp` (nil when it cannot be read).
    public static func statusLine(ulps: String?, openSSLBuilt: Bool) -> String {
        let kernel = ulps.map { $0.split(whereSeparator: { $0 == " " || $0 == "\n" }).contains("tls") } ?? false
        let listed = ulps.map { "tcp_available_ulp: \($0.trimmingWhitespace().isEmpty ? "none" : $0.trimmingWhitespace())" } ?? "\(ulpListPath) unreadable"
        switch (kernel, openSSLBuilt) {
        case (true, true):
            return "ssl_ktls: the kernel has the tls ULP and OpenSSL was built with kTLS: records are encrypted by the kernel for the ciphers it supports"
        case (false, true):
            return "ssl_ktls: no effect: the kernel has no tls ULP (\(listed); modprobe tls); OpenSSL encrypts in the workers"
        case (true, false):
            return "ssl_ktls: no effect: OpenSSL was built without kTLS; it encrypts in the workers"
        case (false, false):
            return "ssl_ktls: no effect: the kernel has no tls ULP (\(listed)) and OpenSSL was built without kTLS"
        }
    }

    /// `statusLine` for this machine.
    public static func currentStatusLine() -> String {
        let ulps: String?
        do { ulps = try Files.readText(ulpListPath) } catch { ulps = nil }
        return statusLine(ulps: ulps, openSSLBuilt: isBuiltIntoOpenSSL)
    }
}
