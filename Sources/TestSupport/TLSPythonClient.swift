import Foundation
import Glibc
import Posix

/// A TLS client independent of Paddock's own code: Python's `ssl` module
/// (OpenSSL through another binding), checking the server's certificate
/// against the test authority, so what a test sees is what a client sees.
public enum TLSPythonClient {
    /// One connection to 127.0.0.1:`port`: the subject of the certificate
    /// the server presented, as `CN=localhost, O=Renewed`, after a GET /health.
    public static func peerSubject(port: UInt16, caFile: String) throws -> String {
        let script = """
        import socket, ssl, sys
        ctx = ssl.create_default_context(cafile=sys.argv[2])
        with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
                subject = ", ".join("%s=%s" % pair for rdn in s.getpeercert()["subject"] for pair in rdn)
                s.sendall(b"GET /health HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n")
                response = b""
                while True:
                    chunk = s.recv(4096)
                    if not chunk: break
                    response += chunk
                if not response.startswith(b"HTTP/1.1 200"): sys.exit("status: %r" % response[:40])
        print(subject.replace("commonName", "CN").replace("organizationName", "O"))
        """
        return try PostgresCluster.runCapturing("/usr/bin/python3", ["-c", script, String(port), caFile])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// New TLS connections one after another (handshake, GET /health, read
    /// to the end) from a background `python3`, until `stop()` or
    /// `maxSeconds`; each one that does not end in a 200 is a failure.
    public final class Loop: @unchecked Sendable {
        let pid: Int32
        let stopFile: String
        let outFile: String
        var finished: (succeeded: Int, failures: [String])?

        public init(port: UInt16, caFile: String, directory: String, maxSeconds: Int = 60) throws {
            stopFile = directory + "/tls-loop.stop"
            outFile = directory + "/tls-loop.out"
            let script = """
            import os, socket, ssl, sys, time
            port, cafile, stop, out, limit = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
            ctx = ssl.create_default_context(cafile=cafile)
            ok, failures, end = 0, [], time.monotonic() + limit
            while time.monotonic() < end and not os.path.exists(stop):
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
                        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
                            s.sendall(b"GET /health HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n")
                            response = b""
                            while True:
                                chunk = s.recv(4096)
                                if not chunk: break
                                response += chunk
                    if response.startswith(b"HTTP/1.1 200"): ok += 1
                    else: failures.append("status %r" % response[:30])
                except Exception as e:
                    failures.append(repr(e))
                with open(out + ".tmp", "w") as f: f.write("%d\\n%s\\n" % (ok, "\\n".join(failures)))
                os.replace(out + ".tmp", out)
            with open(out + ".tmp", "w") as f: f.write("%d\\n%s\\n" % (ok, "\\n".join(failures)))
            os.replace(out + ".tmp", out)
            """
            let null = try Files.open("/dev/null", flags: O_RDWR | O_CLOEXEC)
            defer { null.closeAfterFailure() }
            pid = try Process.spawn(path: "/usr/bin/python3",
                                    arguments: ["python3", "-c", script, String(port), caFile, stopFile, outFile, String(maxSeconds)],
                                    environment: ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" },
                                    fds: [(null, 0), (null, 1), (.standardError, 2)], newProcessGroup: true)
        }

        deinit { if finished == nil { _ = Glibc.kill(pid, SIGKILL); var s: Int32 = 0; _ = waitpid(pid, &s, 0) } }

        /// Connections that succeeded so far (from the script's last report).
        public var succeededSoFar: Int { Self.read(outFile).succeeded }

        /// Waits (bounded) until `count` connections have succeeded.
        public func waitForProgress(_ count: Int, timeout: Double = 30) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if succeededSoFar >= count { return true }
                Clock.sleep(milliseconds: 20)
            }
            return false
        }

        /// Stops the loop and returns what it counted.
        public func stop(timeout: Double = 30) -> (succeeded: Int, failures: [String]) {
            if let finished { return finished }
            _ = FileManager.default.createFile(atPath: stopFile, contents: nil)
            let deadline = Date().addingTimeInterval(timeout)
            var status: Int32 = 0
            while waitpid(pid, &status, WNOHANG) == 0 {
                if Date() > deadline { _ = Glibc.kill(pid, SIGKILL); _ = waitpid(pid, &status, 0); break }
                Clock.sleep(milliseconds: 20)
            }
            let result = Self.read(outFile)
            finished = result
            return result
        }

        static func read(_ path: String) -> (succeeded: Int, failures: [String]) {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return (0, []) }
            let lines = text.split(separator: "\n").map(String.init)
            return (lines.first.flatMap { Int($0) } ?? 0, Array(lines.dropFirst()))
        }
    }
}
