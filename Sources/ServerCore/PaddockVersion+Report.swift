import CCrypto
import Posix

extension PaddockVersion {
    /// The commit, from the release build (`BuildCommit`).
    public static var commit: String { BuildCommit.string }

    /// The compiler's language version, major and minor: Swift has no
    /// constant for it, only `#if compiler(...)`.
    public static var swift: String {
        #if compiler(>=7.0)
        return "7.0 or later"
        #elseif compiler(>=6.4)
        return "6.4"
        #elseif compiler(>=6.3)
        return "6.3"
        #elseif compiler(>=6.2)
        return "6.2"
        #elseif compiler(>=6.1)
        return "6.1"
        #else
        return "6.0"
        #endif
    }

    /// The libcrypto the process runs with (`OpenSSL_version(3)`), which may
    /// differ from the headers it was built against.
    public static var openSSL: String { String(cString: OpenSSL_version(OPENSSL_VERSION)) }

    /// The `--version` text: the version, the commit, Swift, OpenSSL, then
    /// `libraries` (name and version, such as libpq and SQLite from
    /// `PaddockSQL`), one per line.
    public static func report(programName: String, libraries: [(name: String, version: String)] = []) -> String {
        var text = "\(programName) \(string)\ncommit \(commit)\nswift \(swift)\nopenssl \(openSSL)\n"
        for library in libraries { text += "\(library.name) \(library.version)\n" }
        return text
    }
}
