import Foundation
import Glibc
import Posix
import ServerCore
import TestSupport
import XCTest

/// The shipped `systemd/paddock.service` and `paddock.socket` under a real
/// systemd: PID 1 of a podman container (`--systemd=always`) made from the
/// local debian:bookworm-slim base plus systemd, without procps. The debug
/// build runs in it, with the Swift runtime it links mounted read-only at
/// the same path; the units are mounted as they are, and drop-ins only pick
/// a free port, require the socket and shorten the watchdog.
///
/// Cost, measured on the 2-core test machine: 16 to 23 s a run (the image
/// comes from podman's layer cache in under a second, systemd boots in 1 to
/// 2 s); 35 s the first time, when apt installs systemd into the layer
/// (18 s). Where podman has no base image yet, scripts/build-image makes it
/// first with debootstrap, as for ContainerImageTests.
final class RealSystemdTests: PodmanTestCase {
    let image = "localhost/paddock-systemd-test:bookworm"
    let base = "docker.io/library/debian:bookworm-slim"
    var container = ""

    /// systemd as init, the libraries the binary links, the service's user;
    /// no procps (so no /bin/kill), as in any minimal image.
    static let containerfile = """
        FROM docker.io/library/debian:bookworm-slim
        RUN export DEBIAN_FRONTEND=noninteractive \\
         && apt-get update \\
         && apt-get install -y --no-install-recommends systemd systemd-sysv libpq5 libsqlite3-0 libssl3 \\
         && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \\
         && useradd --system --user-group --no-log-init --home-dir /var/lib/paddock --shell /usr/sbin/nologin paddock
        STOPSIGNAL SIGRTMIN+3
        CMD ["/sbin/init"]

        """

    /// A command in the container; its standard output, trimmed.
    @discardableResult
    func exec(_ arguments: [String], timeout: Double = 120, check: Bool = true) throws -> String {
        try run(podman, ["exec", container] + arguments, timeout: timeout, check: check).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func show(_ property: String, _ unit: String = "paddock.service") throws -> String {
        try exec(["systemctl", "show", "--property", property, "--value", unit])
    }

    /// The master's children: its workers.
    func workers(of master: String) throws -> Set<String> {
        Set(try exec(["cat", "/proc/\(master)/task/\(master)/children"]).split(separator: " ").map(String.init))
    }

    /// Polls `condition` (a state, not readiness: systemd already said
    /// ready) every 100 ms until it holds or `timeout` passes.
    func waitUntil(_ what: String, timeout: Double = 30, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            usleep(100_000)
        }
        throw ServerError(message: "timed out after \(timeout) s waiting until \(what); journal:\n\(try journal())")
    }

    func journal() throws -> String {
        try exec(["journalctl", "--unit", "paddock.service", "--unit", "paddock.socket", "--no-pager", "--quiet"], check: false)
    }

    /// The image: the base scripts/build-image makes (once; it also writes
    /// the containers.conf podman needs here), and a cached layer with systemd.
    func buildImage() throws {
        let made = try run(root + "/scripts/build-image", [], environment: ["BASE_ONLY": "1"], timeout: 1800)
        XCTAssertEqual(made.stdout.split(separator: "\n").last.map(String.init), base)
        environment["CONTAINERS_CONF"] = ProcessInfo.processInfo.environment["CONTAINERS_CONF"] ?? root + "/.build-image/containers.conf"
        let context = try ServerProcess.makeTemporaryDirectory()
        defer { ServerProcess.removeTemporaryDirectory(context) }
        try RealSystemdTests.containerfile.write(toFile: context + "/Containerfile", atomically: true, encoding: .utf8)
        try run(podman, ["build", "--pull=never", "--network", "host", "--tag", image, context], timeout: 900)
    }

    /// Where the debug binary finds the Swift runtime it links (as `ldd`
    /// resolves it here), mounted at the same path in the container.
    func swiftRuntimeDirectory() throws -> String {
        let ldd = try run("/usr/bin/ldd", [ServerProcess.paddockBinary]).stdout
        let line = try XCTUnwrap(ldd.split(separator: "\n").first { $0.contains("libswiftCore.so =>") }, "no libswiftCore.so in:\n\(ldd)")
        let path = try XCTUnwrap(line.split(separator: " ").first { $0.hasPrefix("/") }.map(String.init), String(line))
        return URL(fileURLWithPath: path).deletingLastPathComponent().path
    }

    func freePort() throws -> UInt16 {
        let fd = try Socket.listen(on: .ipv4("127.0.0.1", 0), backlog: 1)
        defer { fd.closeAfterFailure() }
        guard case .ipv4(_, let port)? = try Socket.localAddress(fd) else { throw ServerError(message: "no port") }
        return port
    }

    func write(_ text: String, _ path: String) throws {
        try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path,
                                                withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    func testShippedUnitsStartReloadUpgradeWatchdogAndStopUnderSystemd() throws {
        try requirePodman(asRoot: "systemd runs in a rootful podman container")
        let started = Date()
        try buildImage()
        let built = Date()

        let port = try freePort()
        let runtime = try swiftRuntimeDirectory()
        let directory = try ServerProcess.makeTemporaryDirectory()
        container = "paddock-systemd-test-\(Posix.Process.id)"
        cleanups.append { [podman, environment, container] in
            _ = try? ServerProcess.run(["rm", "--force", "--time", "0", container], binary: podman, environment: environment)
            ServerProcess.removeTemporaryDirectory(directory)
        }
        // The socket unit as docs/deploy.md installs it, on a free port; `bind`
        // names the same address, which the inherited socket satisfies.
        try write("[Unit]\nRequires=paddock.socket\nAfter=paddock.socket\n\n[Service]\nWatchdogSec=4\nEnvironment=LD_LIBRARY_PATH=\(runtime)\n",
                  directory + "/paddock.service.d/test.conf")
        try write("[Socket]\nListenStream=\nListenStream=127.0.0.1:\(port)\n", directory + "/paddock.socket.d/test.conf")
        try write("app = echo\nworkers = 2\nbind = 127.0.0.1:\(port)\n", directory + "/server.conf")
        let mounts = [
            (ServerProcess.paddockBinary, "/usr/local/bin/paddock"), (runtime, runtime),
            (root + "/systemd/paddock.service", "/etc/systemd/system/paddock.service"),
            (root + "/systemd/paddock.socket", "/etc/systemd/system/paddock.socket"),
            (directory + "/paddock.service.d", "/etc/systemd/system/paddock.service.d"),
            (directory + "/paddock.socket.d", "/etc/systemd/system/paddock.socket.d"),
            (directory + "/server.conf", "/etc/paddock/server.conf"),
        ].flatMap { ["--volume", "\($0.0):\($0.1):ro"] }
        try run(podman, ["run", "--detach", "--name", container, "--runtime", "runc", "--systemd=always", "--network", "host",
                         "--pull=never"] + mounts + [image])
        // `--wait` returns once boot is finished (running, or degraded by a
        // unit that needs what a container lacks: not ours, checked below);
        // asked before PID 1 has its bus up, it answers at once, so ask again.
        try waitUntil("the container's systemd finishes booting", timeout: 120) {
            ["running", "degraded"].contains(try exec(["systemctl", "is-system-running", "--wait"], timeout: 120, check: false))
        }
        let booted = Date()
        // The image has no procps: the unit's ExecReload must not need /bin/kill.
        XCTAssertEqual(try run(podman, ["exec", container, "test", "-e", "/bin/kill"], check: false).status, .exited(1))

        // Socket activation: systemd listens, the service is not running yet,
        // and the first request starts it and is served.
        try exec(["systemctl", "start", "paddock.socket"])
        XCTAssertEqual(try exec(["systemctl", "is-active", "paddock.service"], check: false), "inactive")
        let first = try HTTPTestClient(port: port, timeout: 60).request("GET", "/health")
        XCTAssertEqual(first.status, 200, first.bodyText)
        XCTAssertEqual(try show("ActiveState"), "active")
        XCTAssertEqual(try show("ActiveState", "paddock.socket"), "active")

        // `systemctl start` returns only once the master said READY=1, after every worker.
        try exec(["systemctl", "stop", "paddock.service"])
        XCTAssertEqual(try show("Result"), "success")
        try exec(["systemctl", "start", "paddock.service"])
        XCTAssertEqual(try show("ActiveState"), "active")
        XCTAssertEqual(try show("StatusText"), "2 of 2 workers ready")
        let master = try show("MainPID")
        XCTAssertEqual(try workers(of: master).count, 2)
        XCTAssertEqual(try HTTPTestClient(port: port).request("GET", "/health").status, 200)

        // Reload (ExecReload, by the shell's kill) under load: every worker
        // replaced, the master kept, no request failed.
        let load = LoadGenerator(port: port, threads: 2, maxDuration: 60)
        load.start()
        XCTAssertTrue(load.waitForProgress(20, timeout: 30), "the load did not get going")
        var previous = try workers(of: master)
        try exec(["systemctl", "reload", "paddock.service"])
        try waitUntil("every worker is replaced after the reload") {
            let now = try workers(of: master)
            return now.count == 2 && now.isDisjoint(with: previous)
        }
        XCTAssertEqual(try show("MainPID"), master)
        var before = load.succeededSoFar
        XCTAssertTrue(load.waitForProgress(before + 20, timeout: 30), "no progress after the reload")

        // USR2: the master re-executes in place; systemd's MainPID stays valid.
        previous = try workers(of: master)
        try exec(["systemctl", "kill", "--kill-who=main", "--signal", "USR2", "paddock.service"])
        try waitUntil("every worker is replaced after USR2") {
            let now = try workers(of: master)
            return now.count == 2 && now.isDisjoint(with: previous)
        }
        XCTAssertEqual(try show("MainPID"), master)
        XCTAssertEqual(try show("ActiveState"), "active")
        // journald reads the lines asynchronously: wait for it to have this one.
        try waitUntil("the journal has the upgrade", timeout: 10) { try journal().contains("upgraded in place: pid \(master) kept") }
        before = load.succeededSoFar
        XCTAssertTrue(load.waitForProgress(before + 20, timeout: 30), "no progress after the upgrade")
        let result = load.stop()
        XCTAssertEqual(result.failures, [], "failed requests during the reload and the upgrade (\(result.succeeded) succeeded)")

        // The watchdog: systemd records the master's pings, and never had to act.
        XCTAssertEqual(try show("WatchdogUSec"), "4s")
        let ping = try show("WatchdogTimestampMonotonic")
        // (0 would be a watchdog that systemd stopped: after a kill, say.)
        try waitUntil("systemd records a new watchdog ping", timeout: 20) {
            let now = try show("WatchdogTimestampMonotonic")
            return now != ping && now != "0"
        }
        XCTAssertEqual(try show("ActiveState"), "active")
        XCTAssertEqual(try show("NRestarts"), "0")
        XCTAssertEqual(try show("MainPID"), master)

        // A graceful stop: TERM to the master, which drains and exits 0.
        try exec(["systemctl", "stop", "paddock.service"], timeout: 90)
        XCTAssertEqual(try show("Result"), "success")
        XCTAssertEqual(try show("ActiveState"), "inactive")
        XCTAssertEqual(try show("ExecMainStatus"), "0")
        let log = try journal()
        XCTAssertTrue(log.contains("received SIGTERM: graceful stop"), log)
        XCTAssertTrue(log.contains("master exiting"), log)

        // Nothing logged at error priority or above, and no error-level line in
        // the text either (every line reaches the journal at systemd's default
        // priority unless the line itself carries one).
        XCTAssertEqual(try exec(["journalctl", "--unit", "paddock.service", "--priority", "err", "--no-pager", "--quiet"]), "")
        let bad = log.split(separator: "\n").filter {
            $0.contains(" error ") || $0.contains(" critical ") || $0.contains("Address already in use") || $0.contains("Failed")
        }
        XCTAssertEqual(bad, [], "error lines in the journal")
        print("real systemd test: image \(String(format: "%.1f", built.timeIntervalSince(started))) s, container booted in \(String(format: "%.1f", booted.timeIntervalSince(built))) s, whole test \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    }
}
