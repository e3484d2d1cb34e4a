import Foundation
import Glibc
import Posix

/// A client written as a short Python script (`/usr/bin/python3`, whose
/// `ssl` module is a complete TLS client), run with a time limit. Its
/// standard output and error go to files in `directory`; `wait` returns
/// the output and fails on a non-zero exit or the time limit.
public final class PythonScript: @unchecked Sendable {
    public static let interpreter = "/usr/bin/python3"

    public let pid: Int32
    let outPath: String
    let errPath: String
    private var finished = false

    /// Starts `source` with `arguments` (`sys.argv[1...]`); `directory` holds its files.
    public init(_ source: String, arguments: [String], directory: String) throws {
        let name = "client-\(UUID().uuidString.prefix(8))"
        let scriptPath = directory + "/\(name).py"
        outPath = directory + "/\(name).out"
        errPath = directory + "/\(name).err"
        try source.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        let out = try Files.open(outPath, flags: O_WRONLY | O_CREAT | O_TRUNC)
        let err = try Files.open(errPath, flags: O_WRONLY | O_CREAT | O_TRUNC)
        defer {
            out.closeAfterFailure()
            err.closeAfterFailure()
        }
        pid = try Process.spawn(path: PythonScript.interpreter, arguments: [PythonScript.interpreter, scriptPath] + arguments,
                                environment: ["PATH=/usr/bin:/bin", "PYTHONUNBUFFERED=1"],
                                fds: [(.standardInput, 0), (out, 1), (err, 2)], newProcessGroup: true)
    }

    deinit {
        if !finished {
            _ = Glibc.kill(pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
        }
    }

    /// What the script printed so far.
    public var output: String { (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "" }

    /// Waits for the script to exit within `timeout` seconds (killing it
    /// after); returns its standard output.
    public func wait(timeout: Double) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline {
                _ = Glibc.kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                finished = true
                throw ServerError(message: "python client did not finish within \(timeout)s; output:\n\(output)\nerrors:\n\(errors)")
            }
            Clock.sleep(milliseconds: 10)
        }
        finished = true
        let st = ExitStatus(raw: status)
        guard st == .exited(0) else { throw ServerError(message: "python client failed (\(st)):\n\(errors)\noutput:\n\(output)") }
        return output
    }

    var errors: String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }

    /// Runs `source` to completion and decodes the JSON object it printed last.
    public static func run(_ source: String, arguments: [String], directory: String, timeout: Double = 60) throws -> [String: Any] {
        let script = try PythonScript(source, arguments: arguments, directory: directory)
        return try lastJSONObject(try script.wait(timeout: timeout))
    }

    /// The last line of `output`, a JSON object.
    public static func lastJSONObject(_ output: String) throws -> [String: Any] {
        guard let line = output.split(separator: "\n").last,
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw ServerError(message: "python client printed no JSON object:\n\(output)")
        }
        return object
    }
}
