import Master
import Posix
import ServerCore
import Worker

/// The entry point of an application's executable. Started by a person or
/// systemd it is the master; the master starts each worker by spawning the
/// same executable (resolved once at its start) with
/// `WorkerContract.workerArgument`, and that call runs the worker. Commands
/// of the application's own (`migrate`) run in the process that was started.
///
///     PaddockMain.run(settings: [Hello.greeting.spec]) { context in try Hello(context) }
public enum PaddockMain {
    /// Serves one application.
    public static func run(_ name: String = "app", settings: [SettingSpec] = [], commands: [ApplicationCommand] = [],
                           _ make: @escaping @Sendable (ApplicationContext) throws -> Application) -> Never {
        run(applications: [ApplicationEntry(name, make)], settings: settings, commands: commands)
    }

    /// Serves one of several applications, chosen by the `app` setting (the
    /// first is the default).
    /// `libraries` (name and version, such as `DatabaseLibraries.all`) are
    /// listed by `--version`.
    public static func run(applications: [ApplicationEntry], settings: [SettingSpec] = [],
                           commands: [ApplicationCommand] = [], libraries: [(name: String, version: String)] = []) -> Never {
        Process.exitNow(main(CommandLine.arguments, applications: applications, settings: settings, commands: commands,
                             libraries: libraries))
    }

    static func main(_ arguments: [String], applications: [ApplicationEntry], settings: [SettingSpec],
                     commands: [ApplicationCommand], libraries: [(name: String, version: String)] = []) -> Int32 {
        let programName = arguments.first.map { String($0.split(separator: "/").last ?? "") } ?? "paddock"
        // First, while there is one thread and before any configuration is read.
        do { try Settings.register(applications: applications.map(\.name), settings: settings) } catch {
            MasterMain.writeError("\(programName): \(error)")
            return WorkerExitCode.fatalConfig.rawValue
        }
        let first = arguments.dropFirst().first
        if first == WorkerContract.workerArgument {
            return WorkerMain.serve { configuration, logger, slot in
                let name = configuration[Settings.app]
                guard let entry = applications.first(where: { $0.name == name }) else {
                    throw ConfigError("unknown application \"\(name)\"")
                }
                return ReadinessFallback(try entry.make(ApplicationContext(configuration: configuration, logger: logger, slot: slot)))
            }.rawValue
        }
        if let first, let command = commands.first(where: { $0.name == first }) {
            return command.run(Array(arguments.dropFirst(2)), programName: programName)
        }
        return MasterMain.run(arguments, commands: commands.map { ($0.name, $0.summary) }, libraries: libraries)
    }
}
