import Glibc
import Posix
import ServerCore

/// `paddock-worker`: started by the master as `paddock-worker serve` with the
/// fds and environment `WorkerContract` describes. Also runs the application
/// commands (`migrate`, `seed`) the master delegates.
enum WorkerMain {
    static func run(_ arguments: [String]) -> Int32 {
        let command = arguments.dropFirst().first ?? ""
        switch command {
        case "serve":
            return serve().rawValue
        default:
            return ApplicationCommands.run(Array(arguments.dropFirst()))
        }
    }

    static func serve() -> WorkerExitCode {
        let env = Environment.current()
        guard let slot = env[WorkerContract.slotVariable].flatMap(Int.init),
              let generation = env[WorkerContract.generationVariable].flatMap(Int.init),
              let listenerCount = env[WorkerContract.listenerCountVariable].flatMap(Int.init),
              let entry = env[WorkerContract.scoreboardIndexVariable].flatMap(Int.init) else {
            writeError("paddock-worker: not started by a paddock master (\(WorkerContract.slotVariable) missing)")
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
            writeError("paddock-worker slot=\(slot): cannot read configuration: \(error)")
            return .fatalConfig
        }
        let logger: Logger
        do {
            logger = try Logger(path: config[Settings.errorlog], level: LogLevel(name: config[Settings.loglevel]) ?? .info, slot: slot,
                                format: LogFormat(name: config[Settings.logFormat]) ?? .text)
        } catch {
            writeError("paddock-worker slot=\(slot): cannot open error log: \(error)")
            return .fatalConfig
        }
        do {
            try Signal.ignorePipe()
            try Process.setName("paddock-w\(slot)")
            for fd in [configFD] { try fd.close() }
            let scoreboard = try Scoreboard(fd: scoreboardFD)
            try scoreboardFD.close()
            var listeners: [FileDescriptor] = []
            for i in 0..<listenerCount {
                listeners.append(try Listening.prepare(FileDescriptor(rawValue: WorkerContract.firstListenerFD + Int32(i)),
                                                       backlog: Int32(config[Settings.backlog])))
            }
            let app: Application
            do {
                app = try Applications.make(config: config, logger: logger)
                try app.start()
            } catch {
                logger.critical("application \(config[Settings.app]) failed to start: \(error)")
                return .appLoadFailed
            }
            let accessLog = try AccessLog.make(configuration: config)
            let loop = try EventLoop(options: options(config), app: app, logger: logger, slot: slot, scoreboard: scoreboard, entry: entry,
                                     listeners: listeners, control: control)
            loop.accessLog = accessLog
            logger.debug("worker generation=\(generation) serving")
            return loop.run()
        } catch {
            logger.critical("worker boot failed: \(error)")
            return .bootFailed
        }
    }

    static func options(_ config: Configuration) -> EventLoop.Options {
        func ns(_ s: Double) -> UInt64 { UInt64(max(0, s) * 1e9) }
        return EventLoop.Options(
            limits: HTTPLimits(requestLine: config[Settings.limitRequestLine], fieldCount: config[Settings.limitRequestFields],
                               fieldSize: config[Settings.limitRequestFieldSize], bodySize: config[Settings.maxBodySize]),
            keepalive: ns(config[Settings.keepalive]),
            headerTimeout: ns(config[Settings.headerReadTimeout]),
            bodyTimeout: ns(config[Settings.bodyReadTimeout]),
            writeTimeout: ns(max(30, config[Settings.bodyReadTimeout])),
            maxConnections: config[Settings.workerConnections],
            workers: config[Settings.workers])
    }

    static func writeError(_ s: String) {
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

/// The built-in applications, by the `app` setting.
enum Applications {
    static func make(config: Configuration, logger: Logger) throws -> Application {
        switch config[Settings.app] {
        case "echo": return EchoApplication()
        default: throw ApplicationError(message: "unknown application \"\(config[Settings.app])\"")
        }
    }
}

struct ApplicationError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// `paddock migrate`, `paddock seed`: run here because they need the application.
enum ApplicationCommands {
    static func run(_ arguments: [String]) -> Int32 {
        WorkerMain.writeError("paddock-worker: unknown command \"\(arguments.first ?? "")\"; this binary is started by paddock")
        return WorkerExitCode.fatalConfig.rawValue
    }
}

Process.exitNow(WorkerMain.run(CommandLine.arguments))
