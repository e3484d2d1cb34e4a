import Posix

/// How many CPUs this process may really use: the fewest of the CPUs online,
/// its affinity mask and its cgroup's CPU quota. The default worker count is
/// built on it, so a container limited to one CPU on a 32-core host starts 3
/// workers (and opens 3 database connections), not 65.
public enum CPULimit {
    /// The usable CPUs of this process, at least 1.
    public static func usableCPUs() -> Int {
        var affinity: Int?
        do { affinity = try Process.affinityCPUCount() } catch {
            affinity = nil // no mask to read (a seccomp filter, say): the other limits still apply
        }
        return combine(online: Process.cpuCount, affinity: affinity, quota: cgroupQuota(root: "/"))
    }

    /// The smallest of the limits that are known, at least 1.
    public static func combine(online: Int, affinity: Int?, quota: Int?) -> Int {
        max(1, min(online, affinity ?? online, quota ?? online))
    }

    /// The CPU quota of this process's cgroup and its ancestors, in whole
    /// CPUs rounded up (1.5 CPUs is 2), nil when unlimited or unknown.
    /// `root` is `/` except in tests, which build a fake tree of
    /// `proc/self/cgroup`, `proc/self/mountinfo` and the cgroup files.
    public static func cgroupQuota(root: String) -> Int? {
        guard let membership = read(root, "/proc/self/cgroup"), let mountinfo = read(root, "/proc/self/mountinfo") else { return nil }
        let mounts = mountinfo.split(whereSeparator: \.isNewline).compactMap(CgroupMount.init(line:))
        var v2Path: String?
        var v1Path: String?
        for line in membership.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            if parts[0] == "0" && parts[1].isEmpty {
                v2Path = String(parts[2])
            } else if parts[1].split(separator: ",").contains("cpu") {
                v1Path = String(parts[2])
            }
        }
        // Both, since a hybrid system mounts v2 alongside v1 with the cpu
        // controller left on v1 (so the v2 tree has no cpu.max).
        var limits: [Int] = []
        if let path = v2Path, let mount = mounts.first(where: { $0.isVersion2 }),
           let limit = smallest(over: mount.directories(for: path), { directory in
               read(root, directory + "/cpu.max").flatMap(parseCPUMax)
           }) {
            limits.append(limit)
        }
        if let path = v1Path, let mount = mounts.first(where: { !$0.isVersion2 && $0.controllers.contains("cpu") }),
           let limit = smallest(over: mount.directories(for: path), { directory in
               guard let quota = read(root, directory + "/cpu.cfs_quota_us"),
                     let period = read(root, directory + "/cpu.cfs_period_us") else { return nil }
               return parseCFS(quota: quota, period: period)
           }) {
            limits.append(limit)
        }
        return limits.min()
    }

    /// cgroup v2 `cpu.max`: `max 100000` (none) or `QUOTA PERIOD` in microseconds.
    static func parseCPUMax(_ text: String) -> Int? {
        let fields = text.split(whereSeparator: \.isWhitespace)
        guard fields.count >= 1, fields[0] != "max", let quota = Int(fields[0]) else { return nil }
        let period = fields.count >= 2 ? Int(fields[1]) ?? 100_000 : 100_000
        return wholeCPUs(quota: quota, period: period)
    }

    /// cgroup v1 CFS: `cpu.cfs_quota_us` is -1 when unlimited.
    static func parseCFS(quota: String, period: String) -> Int? {
        guard let q = Int(quota.trimmingWhitespace()), let p = Int(period.trimmingWhitespace()) else { return nil }
        return wholeCPUs(quota: q, period: p)
    }

    private static func wholeCPUs(quota: Int, period: Int) -> Int? {
        guard quota > 0, period > 0 else { return nil }
        return max(1, (quota + period - 1) / period)
    }

    /// A cgroup's limit is also bounded by every ancestor's.
    private static func smallest(over directories: [String], _ limit: (String) -> Int?) -> Int? {
        directories.compactMap(limit).min()
    }

    private static func read(_ root: String, _ path: String) -> String? {
        let full = root == "/" || root.isEmpty ? path : (root.hasSuffix("/") ? String(root.dropLast()) : root) + path
        do { return try Files.readText(full) } catch {
            return nil // no such file: that limit is not set here (or no cgroup at all)
        }
    }
}
