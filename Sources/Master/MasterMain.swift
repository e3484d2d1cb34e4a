import Posix
import ServerCore

/// The master. Parses the configuration, binds the listeners, then
/// supervises workers (the same executable, in worker mode) until told to stop.
public enum MasterMain {
    /// Runs the master (or `healthcheck`, `--help`, `--check-config`,
    /// `--print-config`) for `arguments` (`argv`, program name first).
    /// `commands` names the application's commands (with a summary), which
    /// the entry point ran before getting here; `--help` lists them, as does
    /// an unknown command. `libraries` are listed by `--version`.
    public static func run(_ arguments: [String], commands: [(name: String, summary: String)] = [],
                           libraries: [(name: String, version: String)] = []) -> Int32 {
        let environment = Environment.current()
        if arguments.dropFirst().first == HealthCheck.command { return HealthCheck.run(Array(arguments.dropFirst(2)), environment: environment) }
        let loaded: LoadedConfiguration
        do {
            loaded = try ConfigLoader.load(arguments: Array(arguments.dropFirst()), environment: environment)
        } catch {
            writeError("paddock: \(error)")
            return WorkerExitCode.fatalConfig.rawValue
        }
        switch loaded.action {
        case .help:
            // The application's executable: its name, not the built-in one's.
            let programName = arguments.first.flatMap { $0.split(separator: "/").last.map(String.init) } ?? "paddock"
            let listed = [(HealthCheck.command, HealthCheck.summary)] + commands
            writeOut(SettingsDocs.help(programName: programName, commands: listed))
            return 0
        case .version:
            writeOut(PaddockVersion.report(programName: "paddock", libraries: libraries))
            return 0
        case .printConfig:
            for warning in loaded.warnings { writeError("paddock: warning: \(warning)") }
            writeOut(loaded.configuration.printable())
            return 0
        case .checkConfig:
            for warning in loaded.warnings { writeError("paddock: warning: \(warning)") }
            var config = loaded.configuration
            let tls: (certificates: [TLSCertificate], warnings: [String])
            do {
                try ConfigCheck.run(config, environment: environment)
                tls = try TLSCheck.prepare(&config, environment: environment, now: Clock.realtime().seconds)
                try checkWorkerBinary(config)
            } catch {
                writeError("paddock: \(error)")
                return WorkerExitCode.fatalConfig.rawValue
            }
            for warning in tls.warnings { writeError("paddock: warning: \(warning)") }
            for line in TLSCheck.describe(tls.certificates, certfile: config[Settings.certfile]) { writeOut(line + "\n") }
            writeOut("configuration OK\(loaded.configPath.map { " (\($0))" } ?? "")\n")
            return 0
        case .run:
            break
        }
        var config = loaded.configuration
        if let command = loaded.positional.first {
            let known = ([HealthCheck.command] + commands.map(\.name)).sorted().joined(separator: ", ")
            writeError("paddock: unknown command \"\(command)\" (commands: \(known))\n")
            return WorkerExitCode.fatalConfig.rawValue
        }
        do { try JWTSecretFile.apply(to: &config, environment: environment) } catch {
            writeError("paddock: \(error)")
            return WorkerExitCode.fatalConfig.rawValue
        }
        // The files are checked here, as root before anyone drops privileges,
        // so a bad one stops the start with its name instead of every worker failing.
        let expiry: [String]
        do { expiry = try TLSCheck.prepare(&config, environment: environment, now: Clock.realtime().seconds).warnings } catch {
            writeError("paddock: \(error)")
            return WorkerExitCode.fatalConfig.rawValue
        }
        let inherited: UpgradeState?
        do { inherited = try UpgradeState.inherited(environment: environment) } catch {
            writeError("paddock: cannot take over from the previous master: \(error)")
            return 1
        }
        if config[Settings.app] == "users" && config[Settings.jwtSecretKey].isEmpty, let state = inherited, !state.secret.isEmpty {
            // An in-place upgrade keeps the secret the previous image generated.
            config.set(Settings.jwtSecretKey.key, .string(state.secret), from: .defaultValue)
            generatedSecret = true
        } else if config[Settings.app] == "users" && config[Settings.jwtSecretKey].isEmpty {
            // One secret for every worker, so a token from one is valid on all.
            config.set(Settings.jwtSecretKey.key, .string(Digest.hex(Digest.randomBytes(32))), from: .defaultValue)
            generatedSecret = true
        }
        return serve(config, arguments: Array(arguments.dropFirst()), inherited: inherited, warnings: loaded.warnings + expiry)
    }

    /// The worker executable must exist and be executable, or no worker starts.
    static func checkWorkerBinary(_ config: Configuration) throws(ConfigError) {
        let path: String
        do { path = Spawner.workerExecutable(setting: config[Settings.workerBinary], executablePath: try Spawner.ownExecutable()) } catch {
            throw ConfigError("\(config.source(of: Settings.workerBinary.key)): worker_binary: \(error)")
        }
        guard Files.isExecutable(path) else {
            throw ConfigError("\(config.source(of: Settings.workerBinary.key)): worker_binary = \(path): missing or not executable")
        }
    }

    nonisolated(unsafe) static var generatedSecret = false

    static func serve(_ config: Configuration, arguments: [String], inherited: UpgradeState?, warnings: [String] = []) -> Int32 {
        let executablePath: String
        do {
            // Once, now: workers and USR2 run whatever is at this path when they start.
            executablePath = try Spawner.ownExecutable()
        } catch {
            writeError("paddock: \(error)")
            return 1
        }
        let logger: Logger
        do {
            logger = try Logger(configuration: config, slot: nil)
        } catch {
            writeError("paddock: cannot open error log: \(error)\n")
            return 1
        }
        for warning in warnings { logger.warning(warning) }
        if config[Settings.sslKtls] && !config[Settings.certfile].isEmpty { logger.debug(KernelTLS.currentStatusLine()) }
        do { try ProcessTitle.apply(name: ProcessTitle.masterName(config), title: ProcessTitle.masterTitle(config)) } catch {
            logger.warning("cannot set the process name: \(error)")
        }
        if let mask = UInt32(config[Settings.umask], radix: 8) { Process.setUmask(mask) }
        let ownership: Ownership?
        do {
            ownership = try Ownership.resolve(config, logger: logger)
            try ownership?.prepareAll(config)
        } catch {
            logger.critical("cannot prepare for user \(config[Settings.user]): \(error)")
            return WorkerExitCode.fatalConfig.rawValue
        }
        if generatedSecret {
            logger.warning("jwt_secret_key is not set: generated a random one; tokens will not survive a restart (set jwt_secret_key_file, jwt_secret_key, PADDOCK_JWT_SECRET_KEY or Flask's JWT_SECRET_KEY)")
        } else {
            for warning in [JWTSecretFile.commandLineWarning(config), JWTSecretFile.lengthWarning(config)].compactMap({ $0 }) {
                logger.warning(warning)
            }
        }
        do {
            try Signal.ignorePipe()
            let workerBinary = Spawner.workerExecutable(setting: config[Settings.workerBinary], executablePath: executablePath)
            guard Files.isExecutable(workerBinary) else {
                logger.critical("worker executable \(workerBinary) is missing or not executable (worker_binary)")
                return 1
            }
            var environment = Environment.current()
            environment[UpgradeState.variable] = nil
            let listeners: [Listener]
            do { listeners = try openListeners(config, inherited: inherited, environment: environment) } catch {
                logger.critical("cannot listen: \(error)")
                return 1
            }
            let pidfile = config[Settings.pidfile]
            let arbiter = try Arbiter(config: config, logger: logger, listeners: listeners, workerBinary: workerBinary,
                                      pidFile: pidfile.isEmpty ? nil : PidFile(path: pidfile),
                                      notifier: SystemdNotifier(environment: environment),
                                      arguments: arguments, environment: environment,
                                      inherited: inherited, executablePath: executablePath, ownership: ownership)
            return arbiter.run()
        } catch {
            logger.critical("startup failed: \(error)")
            return 1
        }
    }

    /// The listening sockets: handed over by the previous image (USR2), or
    /// passed by systemd (LISTEN_FDS) plus any `bind` set explicitly that
    /// none of them already listens on, or
    /// bound from `bind`; admin listeners (`admin_bind`) last, where workers
    /// count them from the end. Addresses were validated with the settings.
    static func openListeners(_ config: Configuration, inherited: UpgradeState?, environment: [String: String]) throws -> [Listener] {
        if let inherited {
            var listeners = try inherited.listeners.map { n in
                let fd = FileDescriptor(rawValue: n)
                try fd.setCloseOnExec(true)
                guard let address = try Socket.localAddress(fd) else { throw SystemError("getsockname", .ENOTSOCK, context: "fd \(n)") }
                return Listener(address: address, fd: fd)
            }
            for i in (listeners.count - inherited.adminListeners)..<listeners.count { listeners[i].isAdmin = true }
            return listeners
        }
        let backlog = Int32(config[Settings.backlog])
        var listeners = try SocketActivation.inheritedListeners(environment: environment)
        // With socket activation, `bind` adds addresses only when it was set
        // explicitly, and only those no inherited socket already listens on.
        if listeners.isEmpty || config.source(of: Settings.bind.key) != .defaultValue {
            let configured = config[Settings.bind].compactMap(SocketAddress.init(bind:))
            let toBind = listeners.isEmpty ? configured
                : InheritedBinds.unmatched(configured, inherited: listeners.map(\.address), directory: try Files.currentDirectory())
            listeners += try Listeners.bind(toBind, backlog: backlog, reusePort: config[Settings.reusePort])
        }
        listeners += try Listeners.bind(config[Settings.adminBind].compactMap(SocketAddress.init(bind:)), backlog: backlog, reusePort: false).map {
            var l = $0
            l.isAdmin = true
            return l
        }
        return listeners
    }

    public static func writeOut(_ s: String) {
        do { try FileDescriptor.standardOutput.writeAll(s) } catch { /* stdout closed: nothing to tell */ }
    }

    public static func writeError(_ s: String) {
        let line = s.hasSuffix("\n") ? s : s + "\n"
        do { try FileDescriptor.standardError.writeAll(line) } catch { /* stderr closed: nothing to tell */ }
    }
}
