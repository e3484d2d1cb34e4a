import CCryptoShims
import Glibc
import Posix
import ServerCore

/// A worker: the application's executable started by the master as
/// `EXECUTABLE --paddock-worker` with the fds and environment
/// `WorkerContract` describes.
public enum WorkerMain {
    /// Builds the application a worker serves, from the configuration the
    /// master handed over, after privileges were dropped.
    public typealias ApplicationFactory = (_ configuration: Configuration, _ logger: Logger, _ slot: Int) throws -> Application

    /// Runs the worker until it drains; `makeApplication` is called once.
    public static func serve(makeApplication: ApplicationFactory) -> WorkerExitCode {
        // Before libcrypto allocates anything: password checks (scrypt) take
        // and release a 32 MiB block per login at Werkzeug's default cost;
        // keeping one for reuse saves 8192 page faults and 32 MiB of zeroing
        // per login (measured 19.6 -> 22.8 logins/s on 2 cores).
        let cryptoHooks = paddock_crypto_reuse_large_blocks(512 << 10) == 1
        let env = Environment.current()
        guard let slot = env[WorkerContract.slotVariable].flatMap(Int.init),
              let generation = env[WorkerContract.generationVariable].flatMap(Int.init),
              let listenerCount = env[WorkerContract.listenerCountVariable].flatMap(Int.init),
              let entry = env[WorkerContract.scoreboardIndexVariable].flatMap(Int.init) else {
            writeError("paddock worker: not started by a paddock master (\(WorkerContract.slotVariable) missing)")
            return .fatalConfig
        }
        // Die with the master even if it is SIGKILLed; the control socket's
        // EOF is the main signal, this is the backstop.
        do { try Process.setParentDeathSignal(Signal.TERM) } catch { writeError("\(error)") }
        let control = FileDescriptor(rawValue: WorkerContract.controlFD(listeners: listenerCount))
        let configFD = FileDescriptor(rawValue: WorkerContract.configFD(listeners: listenerCount))
        let scoreboardFD = FileDescriptor(rawValue: WorkerContract.scoreboardFD(listeners: listenerCount))
        let config: Configuration
        do {
            let text = String(decoding: try configFD.readAllFromStart(), as: UTF8.self)
            config = try ConfigLoader.parse(text: text, path: "<master>")
        } catch {
            writeError("paddock worker slot=\(slot): cannot read configuration: \(error)")
            return .fatalConfig
        }
        // Before anything opens a file, which could take the fd number an
        // older master (one that passes no keys) left free.
        let ticketKeys: Result<[UInt8]?, Error>
        do { ticketKeys = .success(try SessionTicketKeys.inherited(FileDescriptor(rawValue: WorkerContract.ticketKeysFD(listeners: listenerCount)))) } catch {
            ticketKeys = .failure(error)
        }
        let logger: Logger
        do {
            logger = try Logger(configuration: config, slot: slot)
        } catch {
            writeError("paddock worker slot=\(slot): cannot open error log: \(error)")
            return .fatalConfig
        }
        do {
            try Signal.ignorePipe()
            // Signals meant for the master (`systemctl kill` reaches the whole
            // group by default) must not stop a worker: their default is to
            // terminate or stop the process.
            for sig in [Signal.HUP, Signal.USR2, Signal.WINCH, Signal.TTIN, Signal.TTOU] { try Signal.ignore(sig) }
            try ProcessTitle.apply(name: ProcessTitle.workerName(config, slot: slot), title: ProcessTitle.workerTitle(config, slot: slot))
            for fd in [configFD] { try fd.close() }
            let scoreboard = try Scoreboard(fd: scoreboardFD)
            try scoreboardFD.close()
            var listeners: [FileDescriptor] = []
            for i in 0..<listenerCount {
                listeners.append(try Listening.prepare(FileDescriptor(rawValue: WorkerContract.firstListenerFD + Int32(i)),
                                                       backlog: Int32(config[Settings.backlog])))
            }
            // Logs are opened while still privileged (the master created them for us).
            let accessLog = try AccessLog.make(configuration: config)
            // So is the TLS key, which is often readable by root only.
            let tls = try tlsContext(config, ticketKeys: ticketKeys.get(), logger: logger)
            try dropPrivileges(config, logger: logger)
            let app: Application
            do {
                app = try makeApplication(config, logger, slot)
                try app.start()
            } catch {
                logger.critical("application \(config[Settings.app]) failed to start: \(error)")
                return .appLoadFailed
            }
            var opts = try options(config)
            opts.adminListeners = env[WorkerContract.adminListenerCountVariable].flatMap(Int.init) ?? 0
            ensureOpenFileLimit(for: opts, logger: logger)
            let loop = try EventLoop(options: opts, app: app, logger: logger, slot: slot, scoreboard: scoreboard, entry: entry,
                                     listeners: listeners, control: control, tls: tls)
            loop.accessLog = accessLog
            if !cryptoHooks { logger.debug("libcrypto allocated before its hooks: large blocks are not reused") }
            if paddock_gnutls_skip_consultations() > 0 {
                logger.debug("GnuTLS (loaded for libpq's LDAP support) skipped its implicit initialisation")
            } else {
                logger.debug("GnuTLS did not consult the skip hook: it initialised itself if loaded")
            }
            logger.debug("worker generation=\(generation) serving")
            return loop.run()
        } catch {
            logger.critical("worker boot failed: \(error)")
            return .bootFailed
        }
    }

    /// The worker's TLS context when `certfile` and `keyfile` are set, with
    /// the session ticket keys every worker shares. A file that does not
    /// load is a boot failure naming it.
    static func tlsContext(_ config: Configuration, ticketKeys: [UInt8]?, logger: Logger) throws -> TLSServerContext? {
        guard let settings = try TLSConfiguration(config) else { return nil }
        let context = try TLSServerContext(settings)
        if let ticketKeys {
            try context.setTicketKeys(ticketKeys)
        } else {
            logger.warning("no session ticket keys from the master: TLS sessions resume on this worker only")
        }
        return context
    }

    /// `user`/`group`: become them before the application starts, when root.
    static func dropPrivileges(_ config: Configuration, logger: Logger) throws {
        let name = config[Settings.user]
        guard !name.isEmpty, Privileges.effectiveUserID == 0 else { return }
        let (identity, gid) = try Privileges.resolve(user: name, group: config[Settings.group])
        try Privileges.drop(to: identity, gid: gid)
        logger.debug("running as uid=\(identity.uid) gid=\(gid)")
    }

    /// Every connection is a file descriptor: a soft RLIMIT_NOFILE below
    /// `worker_connections` + `admin_connections` (1024 is common outside
    /// systemd) would turn a full worker into accept errors, the admin
    /// listener included. Raise the soft limit toward the hard one.
    static func ensureOpenFileLimit(for options: EventLoop.Options, logger: Logger) {
        let needed = UInt64(options.maxConnections + options.adminConnections + options.adminListeners + WorkerMain.reservedDescriptors)
        do {
            let (soft, hard) = try ResourceLimits.openFiles()
            guard soft < needed else { return }
            let target = min(hard, needed)
            if target > soft { try ResourceLimits.setOpenFiles(soft: target) }
            if target < needed {
                logger.warning("worker_connections + admin_connections need about \(needed) open files, RLIMIT_NOFILE allows \(hard)")
            }
        } catch {
            logger.warning("raising RLIMIT_NOFILE: \(error)")
        }
    }

    /// Descriptors a worker holds besides its connections: listeners,
    /// control socket, epoll, signal pipe, logs, database files, with room.
    static let reservedDescriptors = 64

    static func options(_ config: Configuration) throws -> EventLoop.Options {
        // Deadlines are kept in monotonic nanoseconds.
        EventLoop.Options(
            limits: HTTPLimits(requestLine: config[Settings.limitRequestLine], fieldCount: config[Settings.limitRequestFields],
                               fieldSize: config[Settings.limitRequestFieldSize], bodySize: config[Settings.maxBodySize].count),
            keepalive: config[Settings.keepalive].nanoseconds,
            headerTimeout: config[Settings.headerReadTimeout].nanoseconds,
            bodyTimeout: config[Settings.bodyReadTimeout].nanoseconds,
            writeTimeout: config[Settings.writeTimeout].nanoseconds,
            maxConnections: config[Settings.workerConnections],
            workers: config[Settings.workers],
            outputHighWater: config[Settings.outputHighWater].count,
            adminConnections: config[Settings.adminConnections],
            pressureSilentTimeout: config[Settings.pressureSilentTimeout].nanoseconds,
            quickStopGrace: config[Settings.quickStopTimeout].nanoseconds,
            lingerTime: config[Settings.lingerTime].nanoseconds,
            drainIdleGrace: config[Settings.drainIdleTimeout].nanoseconds,
            proxyProtocolFrom: config[Settings.proxyProtocol] ? try proxyProtocolPeers(config) : nil)
    }

    /// `proxy_allow_ips`, checked when the configuration was read.
    static func proxyProtocolPeers(_ config: Configuration) throws(ConfigError) -> ProxyTrust {
        do throws(IPNetworkError) { return try ProxyTrust(allowed: config[Settings.proxyAllowIPs]) } catch {
            throw ConfigError("invalid value for proxy_allow_ips: \(error)")
        }
    }

    public static func writeError(_ s: String) {
        do { try FileDescriptor.standardError.writeAll(s.hasSuffix("\n") ? s : s + "\n") } catch { /* nowhere to report */ }
    }
}

/// Inherited listeners: used as they are, or, when the master only bound
/// them (`reuse_port`), replaced by this worker's own SO_REUSEPORT socket on
/// the same address.
enum Listening {
    static func prepare(_ inherited: FileDescriptor, backlog: Int32) throws -> FileDescriptor {
        let accepting = try Socket.getOption(inherited, SOL_SOCKET, SO_ACCEPTCONN)
        if accepting != 0 { return inherited }
        guard let address = try Socket.localAddress(inherited) else { return inherited }
        let own = try Socket.listen(on: address, backlog: backlog, reusePort: true)
        try inherited.close()
        return own
    }
}
