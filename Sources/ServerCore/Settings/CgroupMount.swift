/// One cgroup file system from /proc/self/mountinfo.
struct CgroupMount {
    /// The cgroup directory that is mounted (`/` unless the mount is of a sub-tree).
    let root: String
    let mountPoint: String
    let isVersion2: Bool
    /// v1: the controllers in the super options (`cpu`, `cpuacct`).
    let controllers: Set<String>

    /// `36 25 0:30 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw`: fields,
    /// then `-`, the file system type, the source and the super options.
    init?(line: Substring) {
        let fields = line.split(separator: " ")
        guard let dash = fields.firstIndex(of: "-"), dash >= 5, dash + 1 < fields.count else { return nil }
        let type = fields[dash + 1]
        guard type == "cgroup2" || type == "cgroup" else { return nil }
        root = Self.unescape(fields[3])
        mountPoint = Self.unescape(fields[4])
        isVersion2 = type == "cgroup2"
        controllers = dash + 3 < fields.count ? Set(fields[dash + 3].split(separator: ",").map(String.init)) : []
    }

    /// The process's cgroup directory and its ancestors up to the mount point,
    /// deepest first. `path` is from /proc/self/cgroup, relative to `root`.
    func directories(for path: String) -> [String] {
        var relative = path
        if root != "/" {
            // Without a cgroup namespace the path starts with the mounted sub-tree.
            guard relative == root || relative.hasPrefix(root + "/") else { return [mountPoint] }
            relative = String(relative.dropFirst(root.count))
        }
        var components = relative.split(separator: "/").map(String.init)
        var result: [String] = []
        while true {
            result.append(mountPoint + (components.isEmpty ? "" : "/" + components.joined(separator: "/")))
            guard !components.isEmpty else { break }
            components.removeLast()
        }
        return result
    }

    /// mountinfo writes space, tab, newline and backslash as octal escapes (`\040`).
    static func unescape(_ field: Substring) -> String {
        var bytes: [UInt8] = []
        let utf8 = Array(field.utf8)
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "\\"), i + 4 <= utf8.count,
               let value = UInt8(String(decoding: utf8[(i + 1)..<(i + 4)], as: UTF8.self), radix: 8) {
                bytes.append(value)
                i += 4
            } else {
                bytes.append(utf8[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
