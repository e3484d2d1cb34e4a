import Posix
import ServerCore

/// `paddock healthcheck`: asks the running server's own listener whether it
/// is ready, for a container's `HEALTHCHECK` (the image has no curl). It
/// loads the configuration the way the server does (config file, `PADDOCK_*`
/// variables, flags), sends `GET /health/ready` to the first `bind` address
/// and exits 0 on a 200; anything else is 1, the "unhealthy" of Docker and
/// podman: another status, no answer within the timeout, nothing listening,
/// a configuration it cannot read.
enum HealthCheck {
    static let command = "healthcheck"
    static let summary = "Exit 0 when the running server answers GET /health/ready with 200 (for HEALTHCHECK)."
    static let path = "/health/ready"
    static let timeoutFlag = "--probe-timeout"
    /// Below the 5 s a container runtime gives the whole check by default
    /// (`HEALTHCHECK --timeout` in the Containerfile), so the probe reports
    /// its own reason instead of being killed.
    static let defaultTimeout = 3.0
    static let maximumTimeout = 60.0

    static let usage = """
        Usage: paddock healthcheck [\(timeoutFlag) SECONDS] [paddock options...]

        Sends GET \(path) to the first address of `bind` (0.0.0.0 is asked on
        127.0.0.1, :: on ::1) and exits 0 when it answers 200, 1 otherwise.
        The configuration is read as the server reads it (--config, server.conf,
        PADDOCK_* variables, flags such as --bind), so in a container the
        check finds the address the server listens on.

          \(timeoutFlag) SECONDS   give up after this long (default \(Int(defaultTimeout)); 500ms also works)

        """

    /// Runs the command; `arguments` are those after `healthcheck`.
    static func run(_ arguments: [String], environment: [String: String]) -> Int32 {
        let timeout: Double
        let rest: [String]
        do { (timeout, rest) = try splitOptions(arguments) } catch {
            MasterMain.writeError("paddock healthcheck: \(error)")
            return 1
        }
        let loaded: LoadedConfiguration
        do { loaded = try ConfigLoader.load(arguments: rest, environment: environment) } catch {
            MasterMain.writeError("paddock healthcheck: \(error)")
            return 1
        }
        if loaded.action == .help {
            MasterMain.writeOut(usage)
            return 0
        }
        if let extra = loaded.positional.first {
            MasterMain.writeError("paddock healthcheck: unexpected argument \"\(extra)\"")
            return 1
        }
        guard let address = target(bind: loaded.configuration[Settings.bind]) else {
            MasterMain.writeError("paddock healthcheck: bind names no address to probe")
            return 1
        }
        do {
            // A server that closes before reading the request must not kill the check with SIGPIPE.
            try Signal.ignorePipe()
            let answer = try HealthProbe(address: address, timeout: timeout).get(path)
            if answer.status == 200 {
                MasterMain.writeOut("paddock healthcheck: \(address) \(path): 200\n")
                return 0
            }
            let body = answer.body.count > 300 ? String(answer.body.prefix(300)) + "..." : answer.body
            MasterMain.writeError("paddock healthcheck: \(address) \(path): \(answer.status) \(body)")
            return 1
        } catch {
            MasterMain.writeError("paddock healthcheck: \(address) \(path): \(error)")
            return 1
        }
    }

    /// Takes the command's own option out of `arguments`; the rest are the
    /// server's options, for the configuration loader.
    static func splitOptions(_ arguments: [String]) throws(ConfigError) -> (timeout: Double, rest: [String]) {
        var timeout = defaultTimeout
        var rest: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            let text: String
            if argument == timeoutFlag {
                guard index < arguments.count else { throw ConfigError("\(timeoutFlag): missing value") }
                text = arguments[index]
                index += 1
            } else if argument.hasPrefix(timeoutFlag + "=") {
                text = String(argument.dropFirst(timeoutFlag.count + 1))
            } else {
                rest.append(argument)
                continue
            }
            guard let seconds = parseSeconds(text), seconds > 0, seconds <= maximumTimeout else {
                throw ConfigError("\(timeoutFlag): invalid value \(String(reflecting: text)): expected seconds above 0 and at most \(Int(maximumTimeout)) (2, 1.5, 500ms)")
            }
            timeout = seconds
        }
        return (timeout, rest)
    }

    /// `2`, `1.5`, `2s` or `500ms`, in seconds.
    static func parseSeconds(_ text: String) -> Double? {
        if text.hasSuffix("ms") { return Double(text.dropLast(2)).map { $0 / 1000 } }
        if text.hasSuffix("s") { return Double(text.dropLast()) }
        return Double(text)
    }

    /// The address to ask: the first one `bind` lists, with a wildcard host
    /// replaced by the loopback address of its family (a server listening on
    /// every address also listens there).
    static func target(bind: [String]) -> SocketAddress? {
        guard let address = bind.lazy.compactMap(SocketAddress.init(bind:)).first else { return nil }
        switch address {
        case .ipv4(let host, let port) where host.allSatisfy({ $0 == "0" || $0 == "." }):
            return .ipv4("127.0.0.1", port)
        case .ipv6(let host, let port) where host.allSatisfy({ $0 == "0" || $0 == ":" }):
            return .ipv6("::1", port)
        default:
            return address
        }
    }
}
