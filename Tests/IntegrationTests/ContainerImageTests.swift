import Foundation
import Glibc
import Posix
import ServerCore
import TestSupport
import XCTest

/// The container image, built by `scripts/build-image` and run with podman
/// against a throwaway PostgreSQL on this machine: it migrates, becomes
/// ready (the test owns the NOTIFY_SOCKET podman passes in), serves the API
/// on 0.0.0.0 from a read-only root file system, passes its own HEALTHCHECK,
/// and `podman stop` (TERM) ends it gracefully with exit code 0.
///
/// The first run on a machine makes the debian:bookworm-slim base with
/// debootstrap; after that podman's store and layer cache keep it, and the
/// cost is the release build (incremental) plus a few seconds.
final class ContainerImageTests: PodmanTestCase {
    func testTheImageServesOnPostgreSQLPassesItsHealthCheckAndStopsGracefully() throws {
        try requirePodman(asRoot: "the container test runs podman as root")
        let started = Date()
        let image = "localhost/paddock-test:\(Posix.Process.id)"
        let binaries = try freshReleaseBinaries()
        let build = try run(root + "/scripts/build-image", [], environment: ["IMAGE": image, "BINARIES": binaries], timeout: 1800)
        XCTAssertEqual(build.stdout.split(separator: "\n").last.map(String.init), image)
        environment["CONTAINERS_CONF"] = containersConf
        cleanups.append { [podman, environment] in
            _ = try? ServerProcess.run(["rmi", "--force", image], binary: podman, environment: environment)
        }
        let built = Date()

        // The HEALTHCHECK is in the image (Docker format keeps it; OCI would drop it).
        let check = try run(podman, ["image", "inspect", "--format", "{{json .Config.Healthcheck.Test}} {{.Config.StopSignal}} {{.Config.User}}", image])
        XCTAssertEqual(check.stdout.trimmingCharacters(in: .whitespacesAndNewlines),
                       #"["CMD","/usr/local/bin/paddock","healthcheck"] SIGTERM paddock:paddock"#)

        let pg = try PostgresCluster()
        cleanups.append { pg.destroy() }
        try pg.start()
        try pg.createDatabase("paddock")
        let url = pg.url(database: "paddock")
        // Both: DATABASE_URL is what a Flask deployment already sets.
        let database = ["PADDOCK_DATABASE_URL=\(url)", "DATABASE_URL=\(url)"].flatMap { ["-e", $0] }
        let common = ["--runtime", "runc", "--network", "host"]
        try run(podman, ["run", "--rm"] + common + database + [image, "migrate"])

        let port = try freePort()
        let name = "paddock-test-\(Posix.Process.id)"
        let directory = try ServerProcess.makeTemporaryDirectory()
        let notifyPath = directory + "/notify.sock"
        let notify = try bindDatagramSocket(notifyPath)
        cleanups.append { [podman, environment] in
            _ = try? ServerProcess.run(["rm", "--force", "--time", "0", name], binary: podman, environment: environment)
            notify.closeAfterFailure()
            ServerProcess.removeTemporaryDirectory(directory)
        }
        // Read-only, as deploy/kubernetes runs it: on PostgreSQL the server writes no files.
        // PORT as a container platform sets it: the server binds 0.0.0.0:$PORT and the
        // health check asks there.
        try run(podman, ["run", "--detach", "--name", name, "--sdnotify=container", "--read-only"] + common + database + [
            "-e", "PORT=\(port)", "-e", "PADDOCK_WORKERS=2",
            "-e", "PADDOCK_JWT_SECRET_KEY=\(String(repeating: "ab", count: 32))",
            image,
        ], environment: ["NOTIFY_SOCKET": notifyPath])
        try waitForDatagram(notify, containing: "READY=1", timeout: 60) { try self.logs(name) }
        let ready = Date()

        // Reachable on the loopback address of the host network, served by PostgreSQL.
        let client = try HTTPTestClient(port: port)
        XCTAssertEqual(try client.request("GET", "/health/ready").status, 200)
        let register = try client.request("POST", "/auth/register", headers: [("Content-Type", "application/json")],
                                          body: Array(#"{"email":"box@example.com","name":"Box","password":"password123"}"#.utf8))
        XCTAssertEqual(register.status, 201, register.bodyText)
        try pg.psql("SELECT 1 FROM users WHERE email = 'box@example.com'", database: "paddock")

        // Both ways a runtime asks: its own health check, and the command by hand.
        try run(podman, ["healthcheck", "run", name])
        let byHand = try run(podman, ["exec", name, "paddock", "healthcheck"])
        XCTAssertTrue(byHand.stdout.contains("127.0.0.1:\(port) /health/ready: 200"), byHand.stdout)

        // podman stop sends the image's STOPSIGNAL (TERM); the master drains and exits 0.
        let stopping = Date()
        try run(podman, ["stop", "--time", "60", name], timeout: 90)
        let stopTime = Date().timeIntervalSince(stopping)
        let state = try run(podman, ["inspect", "--format", "{{.State.ExitCode}} {{.State.Status}}", name])
        XCTAssertEqual(state.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "0 exited")
        let log = try logs(name)
        XCTAssertTrue(log.contains("received SIGTERM: graceful stop"), log)
        XCTAssertTrue(log.contains("master exiting"), log)
        XCTAssertLessThan(stopTime, 30, "TERM did not stop the container promptly: it waited for podman's SIGKILL")
        let bad = log.split(separator: "\n").filter { $0.contains(" warning ") || $0.contains(" error ") || $0.contains(" critical ") }
        XCTAssertEqual(bad, [], "unexpected error lines in the container's log")
        print("container test: image built in \(Int(built.timeIntervalSince(started))) s, ready \(String(format: "%.1f", ready.timeIntervalSince(built))) s later, stopped in \(String(format: "%.1f", stopTime)) s")
    }

    /// The release binaries (`--static-swift-stdlib`: the image has no Swift
    /// runtime), built before the tests by scripts/test. A test cannot build
    /// them itself: SwiftPM holds the build folder while tests run.
    func freshReleaseBinaries() throws -> String {
        let release = root + "/.build/release"
        let fm = FileManager.default
        func modified(_ path: String) throws -> Date {
            try XCTUnwrap(fm.attributesOfItem(atPath: path)[.modificationDate] as? Date, path)
        }
        // What the binaries are built from: Package.swift is left out (SwiftPM
        // relinks on the manifest changes that matter, and no others), and so
        // is TestSupport, which no binary links.
        var newestSource = Date.distantPast
        for folder in ["Sources", "linker"] {
            let files = try XCTUnwrap(fm.enumerator(atPath: root + "/" + folder), folder)
            for case let file as String in files where !(folder == "Sources" && file.hasPrefix("TestSupport")) {
                newestSource = max(newestSource, try modified(root + "/" + folder + "/" + file))
            }
        }
        // A build relinks only what changed (an unchanged object is not
        // relinked at all), so the binaries' own times do not tell when the
        // last release build ran: scripts/test stamps it.
        let hint = "run scripts/test, which builds them before the tests"
        for binary in ["paddock"] where !fm.isExecutableFile(atPath: release + "/" + binary) {
            throw ServerError(message: "\(release)/\(binary) is missing: \(hint)")
        }
        let stamp = release + "/.built-for-tests"
        guard fm.fileExists(atPath: stamp), try modified(stamp) >= newestSource else {
            throw ServerError(message: "the release binaries may be older than the sources: \(hint)")
        }
        return release
    }

    func logs(_ name: String) throws -> String {
        let result = try run(podman, ["logs", name], check: false)
        return result.stdout + result.stderr
    }

    func freePort() throws -> UInt16 {
        let fd = try Socket.listen(on: .ipv4("127.0.0.1", 0), backlog: 1)
        defer { fd.closeAfterFailure() }
        guard case .ipv4(_, let port)? = try Socket.localAddress(fd) else { throw ServerError(message: "no port") }
        return port
    }

    func bindDatagramSocket(_ path: String) throws -> FileDescriptor {
        let fd = FileDescriptor(rawValue: try syscall("socket") {
            Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        })
        try SocketAddress.unix(path).withSockAddr { sa, len in
            _ = try syscall("bind", context: path) { Glibc.bind(fd.rawValue, sa, len) }
        }
        return fd
    }

    /// Waits for a notification containing `text`, as systemd would; `log` explains a timeout.
    func waitForDatagram(_ fd: FileDescriptor, containing text: String, timeout: Double, log: () throws -> String) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var fds = [pollfd(fd: fd.rawValue, events: Poll.readable, revents: 0)]
            guard try Poll.wait(&fds, timeoutMs: 200) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let r = try buffer.withUnsafeMutableBytes { p in
                try nonBlockingSyscall("recv") { Glibc.recv(fd.rawValue, p.baseAddress, p.count, Int32(MSG_DONTWAIT)) }
            }
            if case .done(let n) = r, String(decoding: buffer[0..<n], as: UTF8.self).contains(text) { return }
        }
        throw ServerError(message: "no \(text) within \(timeout) s; container log:\n\(try log())")
    }
}
