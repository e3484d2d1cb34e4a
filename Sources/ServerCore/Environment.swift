import Glibc

/// The process environment as a dictionary.
public enum Environment {
    public static func current() -> [String: String] {
        var out: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") { out[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
            p += 1
        }
        return out
    }
}

/// The release version, shown by `--version`.
public enum PaddockVersion {
    public static let string = "0.1.0"
}
