import ServerCore

/// `paddock_build_info`: what `paddock --version` prints, as labels of a
/// gauge that is always 1, so a dashboard can show which build each
/// instance runs.
enum BuildInfo {
    static func render(into out: inout String) {
        out += "# HELP paddock_build_info The version, commit and Swift version the server was built from.\n"
        out += "# TYPE paddock_build_info gauge\n"
        out += "paddock_build_info{version=\"\(escaped(PaddockVersion.string))\",commit=\"\(escaped(PaddockVersion.commit))\""
        out += ",swift=\"\(escaped(PaddockVersion.swift))\"} 1\n"
    }

    /// A label value as the text format requires: backslash, double quote
    /// and line feed escaped.
    static func escaped(_ value: String) -> String {
        var out = String.UnicodeScalarView()
        // By scalar: "\r\n" is one Character, and its line feed must be escaped too.
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out.append(contentsOf: "\\\\".unicodeScalars)
            case "\"": out.append(contentsOf: "\\\"".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }
}
