import Foundation
import Posix
import TestSupport
import XCTest

/// TLS terminated in front of a plain Paddock, as docs/deploy.md "TLS at
/// HAProxy or nginx, with the PROXY protocol" sets it up: a real HAProxy
/// (`bind ... ssl crt`, `send-proxy-v2`) and a real nginx (`stream`,
/// `proxy_protocol on`), each with the guide's own snippet, only addresses
/// and file paths replaced. A Python `ssl` client that checks the
/// certificate gets Paddock's answer through the proxy, and Paddock's
/// access log names the client from the header: the proxy listens on [::1]
/// and reaches Paddock on 127.0.0.1, so `::1` can only come from it.
final class TLSTerminationProxyTests: ServerTestCase {
    var proxy: TerminatingProxyProcess?

    override func tearDown() {
        proxy?.stop()
        proxy = nil
        super.tearDown()
    }

    static let guidePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/deploy.md").path

    /// The fenced blocks of `language` in the guide's section `heading`.
    private func guideBlocks(_ language: String, in heading: String) throws -> [String] {
        let guide = try String(contentsOfFile: Self.guidePath, encoding: .utf8)
        guard let start = guide.range(of: "\n## \(heading)\n") else {
            XCTFail("docs/deploy.md has no section \"\(heading)\"")
            return []
        }
        let section = guide[start.upperBound...].components(separatedBy: "\n## ")[0]
        return section.components(separatedBy: "```\(language)\n").dropFirst().map { $0.components(separatedBy: "```\n")[0] }
    }

    /// The guide's one block of `language` with each pair replaced; a
    /// replacement whose text the block no longer has fails the test, so the
    /// guide cannot drift from what runs here unnoticed.
    private func guideSnippet(_ language: String, replacing pairs: [(String, String)]) throws -> String {
        let blocks = try guideBlocks(language, in: "TLS at HAProxy or nginx, with the PROXY protocol")
        XCTAssertEqual(blocks.count, 1, "docs/deploy.md: expected one ```\(language) block in the TLS-at-the-proxy section")
        var text = try XCTUnwrap(blocks.first)
        for (old, new) in pairs {
            XCTAssertTrue(text.contains(old), "the guide's \(language) snippet no longer has \(String(reflecting: old)):\n\(text)")
            text = text.replacingOccurrences(of: old, with: new)
        }
        return text
    }

    /// Paddock with the guide's `proxy_protocol`/`proxy_allow_ips` lines as
    /// its config file, the proxy's address being 127.0.0.1 here.
    private func startPaddock() throws -> ServerProcess {
        let conf = try guideSnippet("ini", replacing: [("10.0.0.5", "127.0.0.1")])
        let dir = try ServerProcess.makeTemporaryDirectory("tls-termination")
        let s = try ServerProcess(arguments: ["--app", "echo", "--workers", "1", "--access-logfile", dir + "/access.log", "--log-level", "info"],
                                  configText: conf, directory: dir)
        server = s
        try s.waitReady()
        return s
    }

    private static let client = """
    import socket, ssl, sys
    port, ca, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    ctx = ssl.create_default_context(cafile=ca)
    ctx.set_alpn_protocols(["http/1.1"])
    with socket.create_connection(("::1", port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            tls.sendall(("GET %s HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n" % path).encode())
            data = b""
            while True:
                chunk = tls.recv(65536)
                if not chunk:
                    break
                data += chunk
            print(tls.version(), tls.selected_alpn_protocol())
    sys.stdout.write(data.decode("latin-1"))
    """

    /// One HTTPS request to [::1]:`port` with Python's `ssl`, the
    /// certificate checked against `ca` for `localhost`: the TLS version and
    /// ALPN on the first line, then the HTTP response. nil when it fails.
    private func httpsGet(port: UInt16, ca: String, path: String) throws -> (tls: String, response: String)? {
        let dir = try ServerProcess.makeTemporaryDirectory("tls-client")
        defer { ServerProcess.removeTemporaryDirectory(dir) }
        let r = try ServerProcess.run(["-c", Self.client, String(port), ca, path], binary: "/usr/bin/python3", directory: dir, timeout: 15)
        guard r.status == .exited(0) else { return nil }
        let lines = r.stdout.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        guard lines.count == 2 else { return nil }
        return (String(lines[0]), String(lines[1]))
    }

    /// Requests through the proxy until one is answered 200 (the proxy has
    /// read its configuration and connects), bounded; the last one's result.
    private func getThroughProxy(_ proxy: TerminatingProxyProcess, ca: String, path: String) throws -> (tls: String, response: String)? {
        let deadline = Date().addingTimeInterval(15)
        var last: (tls: String, response: String)?
        while Date() < deadline && proxy.exitStatus() == nil {
            last = try httpsGet(port: proxy.port, ca: ca, path: path)
            if last?.response.hasPrefix("HTTP/1.1 200") == true { return last }
            Clock.sleep(milliseconds: 100)
        }
        return last
    }

    /// The first field (the client address) of the access-log line for `path`.
    private func loggedClient(_ s: ServerProcess, _ path: String) -> String? {
        _ = s.waitForAccessLog(containing: path, atLeast: 1, timeout: 5)
        let log = (try? String(contentsOfFile: s.directory + "/access.log", encoding: .utf8)) ?? ""
        return log.split(separator: "\n").first { $0.contains(path) }?.split(separator: " ").first.map(String.init)
    }

    func testHAProxyTerminatesTLSAndSendsProxyV2() throws {
        guard let binary = TerminatingProxyProcess.findBinary("haproxy") else {
            throw XCTSkip("haproxy is not installed (apt-get install haproxy): this test needs the real one")
        }
        let s = try startPaddock()
        let certs = try TestCertificates(directory: s.directory + "/certs")
        // HAProxy's crt: the certificate and its key in one file.
        let pem = s.directory + "/certs/api.pem"
        try (String(contentsOfFile: certs.serverCert, encoding: .utf8) + String(contentsOfFile: certs.serverKey, encoding: .utf8))
            .write(toFile: pem, atomically: true, encoding: .utf8)
        let snippet = try guideSnippet("haproxy", replacing: [("bind :443 ", "bind fd@3 "), ("/etc/haproxy/api.pem", pem),
                                                             ("10.0.0.11:8000", "127.0.0.1:\(s.port)")])
        let p = try TerminatingProxyProcess(binary: binary, name: "haproxy") { _, dir in
            let config = """
            global
                nbthread 1
                log stderr format raw local0 info

            defaults
                log global
                option tcplog
                timeout connect 1s
                timeout client 5s
                timeout server 5s

            \(snippet)
            """
            try config.write(toFile: dir + "/haproxy.cfg", atomically: true, encoding: .utf8)
            return (["-db", "-f", dir + "/haproxy.cfg"], [])
        }
        proxy = p
        let answer = try getThroughProxy(p, ca: certs.caCert, path: "/echo?via=haproxy")
        XCTAssertEqual(answer?.response.hasPrefix("HTTP/1.1 200"), true, "no answer through HAProxy: \(String(describing: answer)); its log:\n\(p.log())")
        // TLS was HAProxy's, with the ALPN the guide sets.
        XCTAssertEqual(answer?.tls.hasSuffix(" http/1.1"), true, String(describing: answer?.tls))
        XCTAssertEqual(loggedClient(s, "/echo?via=haproxy"), "::1", "Paddock did not log the address from HAProxy's header")
        // The guide's check asks for readiness through the same header, and is served.
        XCTAssertTrue(s.waitForAccessLog(containing: "/health/ready", atLeast: 1, timeout: 10), "no HAProxy check reached Paddock; its log:\n\(p.log())")
        XCTAssertNil(p.exitStatus(), "HAProxy exited; its log:\n\(p.log())")
    }

    func testNginxStreamTerminatesTLSAndSendsProxyProtocol() throws {
        guard let binary = TerminatingProxyProcess.findBinary("nginx") else {
            throw XCTSkip("nginx is not installed (apt-get install nginx-light libnginx-mod-stream): this test needs the real one")
        }
        let version = try ServerProcess.run(["-V"], binary: binary, timeout: 10).stderr
        let loadModule: String
        if version.contains("--with-stream=dynamic") {
            let module = "/usr/lib/nginx/modules/ngx_stream_module.so"
            guard FileManager.default.fileExists(atPath: module) else {
                throw XCTSkip("nginx's stream module is not installed (apt-get install libnginx-mod-stream)")
            }
            loadModule = "load_module \(module);"
        } else if version.contains("--with-stream") {
            loadModule = ""
        } else {
            throw XCTSkip("this nginx was built without the stream module")
        }
        let s = try startPaddock()
        let certs = try TestCertificates(directory: s.directory + "/certs")
        let p = try TerminatingProxyProcess(binary: binary, name: "nginx") { port, dir in
            let snippet = try guideSnippet("nginx", replacing: [("listen 443 ssl;", "listen [::1]:\(port) ssl;"),
                                                               ("/etc/nginx/tls/api.crt", certs.serverCert),
                                                               ("/etc/nginx/tls/api.key", certs.serverKey),
                                                               ("10.0.0.11:8000", "127.0.0.1:\(s.port)")])
            let config = """
            \(loadModule)
            daemon off;
            worker_processes 1;
            pid \(dir)/nginx.pid;
            error_log \(dir)/error.log notice;
            events { worker_connections 64; }

            \(snippet)
            """
            try config.write(toFile: dir + "/nginx.conf", atomically: true, encoding: .utf8)
            return (["-p", dir, "-c", dir + "/nginx.conf"], ["NGINX=3;"])
        }
        proxy = p
        let errorLog = { (try? String(contentsOfFile: p.directory + "/error.log", encoding: .utf8)) ?? "" }
        let answer = try getThroughProxy(p, ca: certs.caCert, path: "/echo?via=nginx")
        XCTAssertEqual(answer?.response.hasPrefix("HTTP/1.1 200"), true,
                       "no answer through nginx: \(String(describing: answer)); its log:\n\(p.log())\n\(errorLog())")
        XCTAssertEqual(answer?.tls.hasPrefix("TLSv1.3"), true, String(describing: answer?.tls))
        XCTAssertEqual(loggedClient(s, "/echo?via=nginx"), "::1", "Paddock did not log the address from nginx's header")
        // nginx served the socket the test bound, not one of its own.
        // (said on its standard error, before error_log applies)
        XCTAssertTrue(p.log().contains("using inherited sockets from \"3;\""), p.log())
        XCTAssertFalse(errorLog().contains("[emerg]") || errorLog().contains("[error]"), errorLog())
        XCTAssertNil(p.exitStatus(), "nginx exited; its log:\n\(p.log())\n\(errorLog())")
    }
}
