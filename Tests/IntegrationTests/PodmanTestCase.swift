import Foundation
import Posix
import TestSupport
import XCTest

/// What the tests that run podman share: the checkout's root, commands run
/// with the environment the test set up (failing loudly unless asked not
/// to), cleanups run in reverse at the end, and the one place that decides
/// whether podman can run here at all.
class PodmanTestCase: XCTestCase {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    let podman = "/usr/bin/podman"
    var environment: [String: String] = [:]
    var cleanups: [() -> Void] = []

    override func tearDown() {
        for cleanup in cleanups.reversed() { cleanup() }
        cleanups = []
        super.tearDown()
    }

    /// The settings podman needs on these machines, as scripts/build-image writes them.
    var containersConf: String {
        ProcessInfo.processInfo.environment["CONTAINERS_CONF"] ?? root + "/.build-image/containers.conf"
    }

    @discardableResult
    func run(_ binary: String, _ arguments: [String], environment extra: [String: String] = [:], timeout: Double = 120,
             check: Bool = true) throws -> (status: ExitStatus, stdout: String, stderr: String) {
        let result = try ServerProcess.run(arguments, binary: binary, environment: environment.merging(extra) { $1 }, timeout: timeout)
        if check && result.status != .exited(0) {
            throw ServerError(message: "\(binary) \(arguments.joined(separator: " ")): \(result.status)\n\(result.stdout)\n\(result.stderr)")
        }
        return result
    }

    /// Skips only where podman cannot run at all: not installed, not root
    /// (`asRoot` says why the test needs it), or `podman info` failing.
    func requirePodman(asRoot: String) throws {
        guard FileManager.default.isExecutableFile(atPath: podman) else {
            throw XCTSkip("podman is not installed (scripts/install-deps --container installs it)")
        }
        guard Posix.Process.userID == 0 else { throw XCTSkip("\(asRoot); running as uid \(Posix.Process.userID)") }
        let info = try run(podman, ["info", "--format", "{{.Host.OCIRuntime.Name}}"], check: false)
        guard info.status == .exited(0) else { throw XCTSkip("podman cannot run here: \(info.stderr)") }
    }
}
