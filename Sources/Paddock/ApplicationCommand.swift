import Master
import Posix
import ServerCore

/// A command of the application's own (`migrate`, `seed`), run by the same
/// binary as `EXECUTABLE NAME [options] [settings]`: the command's options
/// are taken out first, the rest is read as settings from every source the
/// server reads (config file, environment, flags).
public struct ApplicationCommand: Sendable {
    public let name: String
    /// Shown with `--help` and after a usage error.
    public let usage: String
    /// One line for the list of commands in `--help`.
    public let summary: String
    /// The command's own options, each with whether it takes a value
    /// (`["--users": true, "--force": false]`).
    public let options: [String: Bool]
    public let action: @Sendable (CommandInvocation) throws -> Void

    public init(_ name: String, usage: String, summary: String = "", options: [String: Bool] = [:],
                action: @escaping @Sendable (CommandInvocation) throws -> Void) {
        self.name = name
        self.usage = usage
        self.summary = summary
        self.options = options
        self.action = action
    }

    /// Runs the command for `arguments` (those after the command's name) and
    /// returns the exit status: 0, 1 when it failed, 2 for a usage or
    /// configuration error.
    public func run(_ arguments: [String], programName: String) -> Int32 {
        var values: [String: String] = [:]
        var rest: [String] = []
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            guard let takesValue = options[a] else {
                rest.append(a)
                i += 1
                continue
            }
            if takesValue {
                guard i + 1 < arguments.count else { return usageError("\(a) needs a value", programName) }
                values[a] = arguments[i + 1]
                i += 2
            } else {
                values[a] = ""
                i += 1
            }
        }
        let loaded: LoadedConfiguration
        do { loaded = try ConfigLoader.load(arguments: rest, environment: Environment.current()) } catch {
            MasterMain.writeError("\(programName) \(name): \(error)")
            return WorkerExitCode.fatalConfig.rawValue
        }
        if loaded.action == .help {
            MasterMain.writeError(usage)
            return 0
        }
        let config = loaded.configuration
        let logger: Logger
        // `ExecStartPre=paddock migrate` logs to the journal like the server.
        let journal = JournalStream.isStandardError(journalStream: Environment.current()[JournalStream.variable])
        do { logger = try Logger(path: "-", level: config[Settings.loglevel], slot: nil, journal: journal) } catch {
            MasterMain.writeError("\(error)")
            return 1
        }
        do {
            try action(CommandInvocation(configuration: config, logger: logger, options: values))
            return 0
        } catch let e as CommandUsageError {
            return usageError(e.message, programName)
        } catch {
            logger.critical("\(name) failed: \(error)")
            return 1
        }
    }

    private func usageError(_ message: String, _ programName: String) -> Int32 {
        MasterMain.writeError("\(programName) \(name): \(message)\n\(usage)")
        return WorkerExitCode.fatalConfig.rawValue
    }
}

/// One run of an `ApplicationCommand`.
public struct CommandInvocation: Sendable {
    public let configuration: Configuration
    /// Writes to standard error.
    public let logger: Logger
    /// The command's own options that were given, with their values ("" for
    /// an option without one).
    public let options: [String: String]

    /// Writes one line to standard error (progress a person watches).
    public func say(_ line: String) { MasterMain.writeError(line) }

    /// The value of `option` as a non-negative integer, `fallback` when absent.
    public func count(_ option: String, default fallback: Int) throws(CommandUsageError) -> Int {
        guard let text = options[option] else { return fallback }
        guard let v = Int(text), v >= 0 else { throw CommandUsageError("\(option) needs a non-negative number") }
        return v
    }
}

/// The command was called wrongly: its message and the usage are printed, exit status 2.
public struct CommandUsageError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
