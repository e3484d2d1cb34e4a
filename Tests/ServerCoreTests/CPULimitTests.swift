import Foundation
import Posix
import XCTest
@testable import ServerCore

/// The usable CPU count behind the default `workers`, on fake `/proc` and
/// cgroup trees laid out as the kernel and container runtimes lay them out.
final class CPULimitTests: XCTestCase {
    /// Builds a fake root with `files` (path -> contents) and returns it.
    private func root(_ files: [String: String]) throws -> String {
        let root = try temporaryDirectory()
        for (path, contents) in files {
            let url = root.appendingPathComponent(String(path.dropFirst()))
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try contents.write(to: url, atomically: true, encoding: .utf8)
        }
        return root.path
    }

    private let v2Mount = "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate\n"

    func testCgroupV2QuotaIsRoundedUp() throws {
        let r = try root(["/proc/self/cgroup": "0::/\n", "/proc/self/mountinfo": v2Mount,
                          "/sys/fs/cgroup/cpu.max": "150000 100000\n"])
        XCTAssertEqual(CPULimit.cgroupQuota(root: r), 2)
        XCTAssertEqual(CPULimit.combine(online: 32, affinity: 32, quota: CPULimit.cgroupQuota(root: r)), 2)
    }

    func testCgroupV2UnlimitedAndAnAncestorsLimit() throws {
        let r = try root(["/proc/self/cgroup": "0::/system.slice/paddock.service\n", "/proc/self/mountinfo": v2Mount,
                          "/sys/fs/cgroup/system.slice/paddock.service/cpu.max": "max 100000\n",
                          "/sys/fs/cgroup/system.slice/cpu.max": "50000 100000\n",
                          "/sys/fs/cgroup/cpu.max": "max 100000\n"])
        XCTAssertEqual(CPULimit.cgroupQuota(root: r), 1, "a parent's half CPU limits the service, rounded up to 1")
        let unlimited = try root(["/proc/self/cgroup": "0::/a\n", "/proc/self/mountinfo": v2Mount,
                                  "/sys/fs/cgroup/a/cpu.max": "max 100000\n"])
        XCTAssertNil(CPULimit.cgroupQuota(root: unlimited))
    }

    func testCgroupV1CFSQuotaWithAMountedSubtree() throws {
        // Docker without a cgroup namespace: the container's own directory is what is mounted.
        let r = try root(["/proc/self/cgroup": "12:cpu,cpuacct:/docker/abc\n11:memory:/docker/abc\n",
                          "/proc/self/mountinfo": "40 31 0:37 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro,nosuid - cgroup cgroup rw,cpu,cpuacct\n",
                          "/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us": "300000\n",
                          "/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us": "100000\n"])
        XCTAssertEqual(CPULimit.cgroupQuota(root: r), 3)
        let unlimited = try root(["/proc/self/cgroup": "4:cpu:/\n",
                                  "/proc/self/mountinfo": "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n",
                                  "/sys/fs/cgroup/cpu/cpu.cfs_quota_us": "-1\n", "/sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000\n"])
        XCTAssertNil(CPULimit.cgroupQuota(root: unlimited))
    }

    func testHybridHierarchyReadsTheV1CPUController() throws {
        // systemd's hybrid layout: v2 at /sys/fs/cgroup/unified without the cpu controller.
        let r = try root(["/proc/self/cgroup": "1:cpu:/\n0::/\n",
                          "/proc/self/mountinfo": "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
                              + "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n",
                          "/sys/fs/cgroup/cpu/cpu.cfs_quota_us": "100000\n", "/sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000\n"])
        XCTAssertEqual(CPULimit.cgroupQuota(root: r), 1)
    }

    func testEscapedMountPointsAndNoCgroupAtAll() throws {
        let r = try root(["/proc/self/cgroup": "0::/\n",
                          "/proc/self/mountinfo": "30 23 0:26 / /sys/fs/my\\040cgroup rw - cgroup2 cgroup2 rw\n",
                          "/sys/fs/my cgroup/cpu.max": "200000 100000\n"])
        XCTAssertEqual(CPULimit.cgroupQuota(root: r), 2)
        XCTAssertNil(CPULimit.cgroupQuota(root: try root([:])))
    }

    func testTheSmallestLimitWins() {
        XCTAssertEqual(CPULimit.combine(online: 32, affinity: 1, quota: nil), 1)
        XCTAssertEqual(CPULimit.combine(online: 32, affinity: 8, quota: 2), 2)
        XCTAssertEqual(CPULimit.combine(online: 4, affinity: nil, quota: nil), 4)
        XCTAssertEqual(CPULimit.combine(online: 0, affinity: 0, quota: nil), 1, "never fewer than one")
    }

    func testThisProcessAffinityIsCounted() throws {
        let affinity = try Process.affinityCPUCount()
        XCTAssertGreaterThanOrEqual(affinity, 1)
        XCTAssertLessThanOrEqual(CPULimit.usableCPUs(), affinity)
    }
}
