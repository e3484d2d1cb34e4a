import Foundation
import XCTest
@testable import Master
@testable import ServerCore

/// The Containerfile, compose.yaml and deploy/kubernetes/ agree with each
/// other and with the settings table: the port the image listens on, the
/// probe paths, a stop grace period longer than Paddock's own graceful stop,
/// PgBouncer in transaction mode, setting variables that exist.
final class DeploymentManifestTests: XCTestCase {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func text(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    func yaml(_ path: String) throws -> [ManifestYAML] {
        do { return try ManifestYAML.documents(text(path)) } catch { throw ManifestYAML.SyntaxError(description: "\(path): \(error)") }
    }

    /// A duration as Paddock parses it (`5s`, `30`, `1m`).
    func seconds(_ text: String?, _ setting: Setting<Duration>) throws -> Double {
        let duration = try text.map { text throws(ValueProblem) in try setting.parse(text) } ?? setting.defaultValue
        let (whole, attoseconds) = duration.components
        return Double(whole) + Double(attoseconds) / 1e18
    }

    // MARK: Containerfile

    /// The runtime stage's instructions (`ENV`, `USER`, ...), keyword → arguments, continuation lines joined.
    func runtimeInstructions() throws -> [(String, String)] {
        var joined: [String] = []
        var pending = ""
        for line in try text("Containerfile").split(separator: "\n") {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("#") || t.isEmpty { continue }
            if t.hasSuffix("\\") { pending += t.dropLast() + " "; continue }
            joined.append(pending + t)
            pending = ""
        }
        var inRuntime = false
        var out: [(String, String)] = []
        for line in joined {
            let parts = line.split(separator: " ", maxSplits: 1)
            let keyword = String(parts[0]).uppercased()
            let arguments = parts.count > 1 ? String(parts[1]) : ""
            if keyword == "FROM" { inRuntime = arguments.hasSuffix(" AS runtime") ; continue }
            if inRuntime { out.append((keyword, arguments)) }
        }
        return out
    }

    /// The port of the image's `PORT`, which binds 0.0.0.0:$PORT (every
    /// address: a published port must reach the server).
    func imagePort() throws -> Int {
        let env = try runtimeInstructions().filter { $0.0 == "ENV" }.map(\.1)
        XCTAssertFalse(env.contains { $0.hasPrefix("PADDOCK_BIND=") }, "PADDOCK_BIND in the image would hide a platform's PORT")
        let value = try XCTUnwrap(env.first { $0.hasPrefix("PORT=") }, "the image sets no PORT")
        let port = try XCTUnwrap(Int(value.dropFirst("PORT=".count)), value)
        XCTAssertTrue((1...65535).contains(port), value)
        return port
    }

    func testTheImageListensOnEveryAddressAndExposesThatPort() throws {
        let port = try imagePort()
        let exposed = try runtimeInstructions().filter { $0.0 == "EXPOSE" }.map(\.1)
        XCTAssertEqual(exposed, ["\(port)"])
    }

    func testTheImageStopsOnTERMAsANonRootUserAndChecksHealthWithPaddock() throws {
        let instructions = try runtimeInstructions()
        func one(_ keyword: String) -> String? { instructions.first { $0.0 == keyword }?.1 }
        XCTAssertEqual(one("STOPSIGNAL"), "SIGTERM")
        let user = try XCTUnwrap(one("USER"))
        XCTAssertFalse(user.hasPrefix("root") || user.hasPrefix("0"), user)
        let check = try XCTUnwrap(one("HEALTHCHECK"))
        XCTAssertTrue(check.contains(#"CMD ["/usr/local/bin/paddock", "healthcheck"]"#), check)
        // The probe gives up, and says why, before the runtime kills it.
        let timeout = try XCTUnwrap(check.split(separator: " ").first { $0.hasPrefix("--timeout=") }).dropFirst("--timeout=".count)
        XCTAssertLessThan(HealthCheck.defaultTimeout, try seconds(String(timeout), Settings.gracefulTimeout))
    }

    func testTheRuntimeStageInstallsOnlyRuntimeLibraries() throws {
        let run = try runtimeInstructions().filter { $0.0 == "RUN" }.map(\.1).joined(separator: " ")
        let install = try XCTUnwrap(run.range(of: "apt-get install -y --no-install-recommends "))
        let packages = run[install.upperBound...].prefix { $0 != "&" }.split(separator: " ").map(String.init)
        XCTAssertEqual(Set(packages), ["libpq5", "libsqlite3-0", "libssl3", "ca-certificates"])
        XCTAssertFalse(run.contains("curl") || run.contains("wget"), run)
    }

    // MARK: Kubernetes

    func deployment() throws -> ManifestYAML {
        let doc = try XCTUnwrap(yaml("deploy/kubernetes/deployment.yaml").first)
        XCTAssertEqual(doc["kind"]?.string, "Deployment")
        return doc
    }

    func container() throws -> ManifestYAML {
        try XCTUnwrap(deployment()["spec"]?["template"]?["spec"]?["containers"]?[0])
    }

    /// The container's environment, name → value (secret references have no value).
    func environment(_ container: ManifestYAML) -> [String: String] {
        var out: [String: String] = [:]
        for item in container["env"]?.items ?? [] {
            if let name = item["name"]?.string { out[name] = item["value"]?.string ?? "" }
        }
        return out
    }

    func testProbesAskReadinessAndLivenessOnTheImagePort() throws {
        let c = try container()
        let port = try imagePort()
        let ports = c["ports"]?.items ?? []
        XCTAssertEqual(ports.count, 1)
        XCTAssertEqual(ports.first?["containerPort"]?.string, "\(port)")
        let portName = ports.first?["name"]?.string
        XCTAssertEqual(c["readinessProbe"]?["httpGet"]?["path"]?.string, "/health/ready")
        XCTAssertEqual(c["livenessProbe"]?["httpGet"]?["path"]?.string, "/health")
        for probe in ["readinessProbe", "livenessProbe"] {
            let target = c[probe]?["httpGet"]?["port"]?.string
            XCTAssertTrue(target == portName || target == "\(port)", "\(probe) asks port \(target ?? "none")")
        }
    }

    func testTheGracePeriodOutlastsShutdownDelayAndGracefulTimeout() throws {
        let spec = try XCTUnwrap(deployment()["spec"]?["template"]?["spec"])
        let grace = try XCTUnwrap(Double(spec["terminationGracePeriodSeconds"]?.string ?? ""))
        let env = environment(try container())
        let delay = try seconds(env[Settings.shutdownDelay.spec.environmentVariable], Settings.shutdownDelay)
        let graceful = try seconds(env[Settings.gracefulTimeout.spec.environmentVariable], Settings.gracefulTimeout)
        XCTAssertGreaterThan(grace, delay + graceful)
    }

    func testReadinessFailsWithinShutdownDelay() throws {
        // The endpoints drop a stopping pod only after readiness fails; until
        // then it must still accept, which it does for shutdown_delay.
        let c = try container()
        let env = environment(c)
        let delay = try seconds(env[Settings.shutdownDelay.spec.environmentVariable], Settings.shutdownDelay)
        let period = try XCTUnwrap(Double(c["readinessProbe"]?["periodSeconds"]?.string ?? "10"))
        let failures = try XCTUnwrap(Double(c["readinessProbe"]?["failureThreshold"]?.string ?? "3"))
        XCTAssertGreaterThanOrEqual(delay, period * failures)
    }

    func testResourceLimitsAndWorkersFitTogether() throws {
        let c = try container()
        let limits = try XCTUnwrap(c["resources"]?["limits"])
        XCTAssertNotNil(limits["memory"]?.string)
        XCTAssertNotNil(c["resources"]?["requests"]?["memory"]?.string)
        let cpu = try XCTUnwrap(limits["cpu"]?.string)
        let cores = cpu.hasSuffix("m") ? Double(cpu.dropLast())! / 1000 : Double(cpu)!
        // Paddock's rule for the default worker count, on the CPUs the pod may use.
        let workers = environment(c)[Settings.workers.spec.environmentVariable]
        XCTAssertEqual(workers.flatMap { Int($0) }, 2 * Int(cores.rounded(.up)) + 1)
    }

    func testThePodRunsAsTheImageUserWithoutPrivileges() throws {
        let spec = try XCTUnwrap(deployment()["spec"]?["template"]?["spec"])
        XCTAssertEqual(spec["securityContext"]?["runAsNonRoot"]?.string, "true")
        let run = try runtimeInstructions().filter { $0.0 == "RUN" }.map(\.1).joined()
        XCTAssertTrue(run.contains("--uid \(spec["securityContext"]?["runAsUser"]?.string ?? "?") "), "runAsUser is not the image's user")
        XCTAssertEqual(try container()["securityContext"]?["allowPrivilegeEscalation"]?.string, "false")
    }

    func testTheServiceSelectsThePodsAndTargetsTheirPort() throws {
        let service = try XCTUnwrap(yaml("deploy/kubernetes/service.yaml").first)
        XCTAssertEqual(service["kind"]?.string, "Service")
        let labels = try XCTUnwrap(deployment()["spec"]?["template"]?["metadata"]?["labels"])
        XCTAssertEqual(service["spec"]?["selector"], labels)
        XCTAssertEqual(try deployment()["spec"]?["selector"]?["matchLabels"], labels)
        let target = service["spec"]?["ports"]?[0]?["targetPort"]?.string
        let port = try container()["ports"]?[0]
        XCTAssertTrue(target == port?["name"]?.string || target == port?["containerPort"]?.string, target ?? "none")
    }

    func testKustomizationListsEveryManifest() throws {
        let kustomization = try XCTUnwrap(yaml("deploy/kubernetes/kustomization.yaml").first)
        let listed = Set((kustomization["resources"]?.items ?? []).compactMap(\.string))
        let files = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("deploy/kubernetes").path)
        XCTAssertEqual(listed, Set(files.filter { $0.hasSuffix(".yaml") && $0 != "kustomization.yaml" }))
    }

    func testTheMigrationJobConnectsDirectly() throws {
        let job = try XCTUnwrap(yaml("deploy/kubernetes/migrate-job.yaml").first)
        XCTAssertEqual(job["kind"]?.string, "Job")
        let c = try XCTUnwrap(job["spec"]?["template"]?["spec"]?["containers"]?[0])
        XCTAssertEqual(c["args"], .list([.scalar("migrate")]))
    }

    // MARK: compose.yaml

    func compose() throws -> ManifestYAML { try XCTUnwrap(yaml("compose.yaml").first) }

    func testComposeRunsPaddockOnPgBouncerInTransactionMode() throws {
        let services = try XCTUnwrap(compose()["services"])
        XCTAssertTrue(Set(services.keys).isSuperset(of: ["paddock", "postgres", "pgbouncer"]), "\(services.keys)")
        let ini = try text("deploy/compose/pgbouncer/pgbouncer.ini")
        func iniValue(_ key: String) -> String? {
            ini.split(separator: "\n").map { $0.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) } }
                .first { $0.count == 2 && $0[0] == key }?[1]
        }
        XCTAssertEqual(iniValue("pool_mode"), "transaction")
        let port = try XCTUnwrap(iniValue("listen_port"))
        let url = try XCTUnwrap(services["paddock"]?["environment"]?[Settings.databaseURL.spec.environmentVariable]?.string)
        XCTAssertTrue(url.contains("@pgbouncer:\(port)/"), url)
        XCTAssertTrue(try XCTUnwrap(iniValue("paddock")).contains("host=postgres "), "PgBouncer's database is not the postgres service")
        let migrate = try XCTUnwrap(services["migrate"]?["environment"]?[Settings.databaseURL.spec.environmentVariable]?.string)
        XCTAssertTrue(migrate.contains("@postgres:5432/"), "migrations need a direct connection: \(migrate)")
    }

    func testComposePublishesTheImagePortAndOutlastsTheGracefulStop() throws {
        let paddock = try XCTUnwrap(compose()["services"]?["paddock"])
        let published = try XCTUnwrap(paddock["ports"]?[0]?.string)
        XCTAssertEqual(published.split(separator: ":").last.map(String.init), "\(try imagePort())")
        let env = paddock["environment"]
        let delay = try seconds(env?[Settings.shutdownDelay.spec.environmentVariable]?.string, Settings.shutdownDelay)
        let graceful = try seconds(env?[Settings.gracefulTimeout.spec.environmentVariable]?.string, Settings.gracefulTimeout)
        let grace = try seconds(paddock["stop_grace_period"]?.string, Settings.gracefulTimeout)
        XCTAssertGreaterThan(grace, delay + graceful)
    }

    func testEveryPaddockVariableIsADeclaredSetting() throws {
        let known = Set(Settings.all.map(\.environmentVariable))
        var used: [String] = []
        for service in try compose()["services"]?.keys ?? [] {
            used += try compose()["services"]?[service]?["environment"]?.keys ?? []
        }
        used += environment(try container()).keys
        let job = try XCTUnwrap(yaml("deploy/kubernetes/migrate-job.yaml").first)
        used += environment(try XCTUnwrap(job["spec"]?["template"]?["spec"]?["containers"]?[0])).keys
        used += try runtimeInstructions().filter { $0.0 == "ENV" }.map { String($0.1.prefix { $0 != "=" }) }
        let paddockVariables = used.filter { $0.hasPrefix("PADDOCK_") }
        XCTAssertFalse(paddockVariables.isEmpty)
        XCTAssertEqual(paddockVariables.filter { !known.contains($0) }, [])
    }

    // MARK: the reader itself

    func testTheReaderFollowsIndentationItemsAndFlowSequences() throws {
        let docs = try ManifestYAML.documents("""
            # comment
            a:
              b: "x # not a comment"   # a comment
              list:
                - one
                - name: two
                  value: 2
              flow: ["CMD", 'pg_isready']
            same:
            - 1
            ---
            c: d
            """)
        XCTAssertEqual(docs.count, 2)
        XCTAssertEqual(docs[0]["a"]?["b"]?.string, "x # not a comment")
        XCTAssertEqual(docs[0]["a"]?["list"]?[0]?.string, "one")
        XCTAssertEqual(docs[0]["a"]?["list"]?[1]?["value"]?.string, "2")
        XCTAssertEqual(docs[0]["a"]?["flow"], .list([.scalar("CMD"), .scalar("pg_isready")]))
        XCTAssertEqual(docs[0]["same"], .list([.scalar("1")]))
        XCTAssertEqual(docs[1]["c"]?.string, "d")
        XCTAssertThrowsError(try ManifestYAML.documents("a: {b: c}"))
        XCTAssertThrowsError(try ManifestYAML.documents("a: 1\na: 2"))
        XCTAssertThrowsError(try ManifestYAML.documents("a:\n    b: 1\n  c: 2"))
    }
}
