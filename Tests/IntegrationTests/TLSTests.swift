import Foundation
import Glibc
import Posix
import ServerCore
import TestSupport
import XCTest

/// TLS in the worker, on the real binary, with Python's `ssl` module and
/// `openssl s_client` as clients: keep-alive, ALPN, the handshake's failures
/// and deadline, client certificates, the minimum version, output
/// backpressure and OpenSSL's buffering, plain admin and Unix listeners,
/// and session resumption across workers and a reload.
final class TLSTests: ServerTestCase {
    static let certificates: Result<TestCertificates, Error> = Result {
        try TestCertificates(directory: NSTemporaryDirectory() + "paddock-tls-tests-" + UUID().uuidString)
    }

    private func certificates() throws -> TestCertificates {
        guard FileManager.default.isExecutableFile(atPath: PythonScript.interpreter) else {
            throw XCTSkip("\(PythonScript.interpreter) is not installed: these tests use its ssl module as the client")
        }
        return try Self.certificates.get()
    }

    /// The echo application with TLS from the test certificates, and `extra` settings.
    private func start(_ extra: [String] = [], workers: Int = 1, keyfile: String? = nil, directory: String? = nil) throws -> ServerProcess {
        let c = try certificates()
        let dir = try directory ?? ServerProcess.makeTemporaryDirectory("tls")
        let s = try ServerProcess(arguments: ["--app", "echo", "--workers", "\(workers)", "--certfile", c.serverCert,
                                              "--keyfile", keyfile ?? c.serverKey, "--log-level", "debug"] + extra, directory: dir)
        server = s
        try s.waitReady()
        return s
    }

    /// Runs a client script (the helpers of `prelude` first) against `s`.
    private func python(_ s: ServerProcess, _ body: String, port: UInt16? = nil, timeout: Double = 60) throws -> [String: Any] {
        try PythonScript.run(TLSTests.prelude + body, arguments: ["\(port ?? s.port)", try certificates().directory],
                             directory: s.directory, timeout: timeout)
    }

    /// Client helpers: `context` (trusting the test CA; ALPN, a client
    /// certificate by name, a version cap), `connect`, a response `Reader`,
    /// `get`, `attempt` (one request: its status, or "refused: why"), `out`.
    static let prelude = #"""
    import hashlib, json, os, select, socket, ssl, sys, time
    PORT = int(sys.argv[1]); CERTS = sys.argv[2]; HERE = os.path.dirname(os.path.abspath(__file__))
    def context(alpn=None, cert=None, maxver=None):
        ctx = ssl.create_default_context(cafile=CERTS + "/ca.pem")
        if alpn: ctx.set_alpn_protocols(alpn)
        if cert: ctx.load_cert_chain(CERTS + "/" + cert + ".pem", CERTS + "/" + cert + ".key")
        if maxver: ctx.maximum_version = maxver
        return ctx
    def connect(ctx, session=None, timeout=10, rcvbuf=None):
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf: raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        raw.settimeout(timeout)
        raw.connect(("127.0.0.1", PORT))
        return ctx.wrap_socket(raw, server_hostname="localhost", session=session)
    class Reader:
        def __init__(self, s): self.s = s; self.buf = b""
        def fill(self):
            d = self.s.recv(65536)
            if not d: raise EOFError("closed by the server")
            self.buf += d
        def response(self):
            while b"\r\n\r\n" not in self.buf: self.fill()
            head, self.buf = self.buf.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
            n = int(headers.get("content-length", "0"))
            while len(self.buf) < n: self.fill()
            body, self.buf = self.buf[:n], self.buf[n:]
            return int(lines[0].split(" ")[1]), headers, body
    def get(path, close=False, extra=""):
        return ("GET %s HTTP/1.1\r\nHost: localhost\r\n%s%s\r\n" % (path, extra, "Connection: close\r\n" if close else "")).encode()
    def attempt(ctx, path="/health"):
        try:
            s = connect(ctx)
            s.sendall(get(path, close=True))
            status = Reader(s).response()[0]
            s.close()
            return str(status)
        except (ssl.SSLError, OSError, EOFError) as e:
            return "refused: %s" % e
    def out(obj):
        print(json.dumps(obj))
    class Unbuffered:
        """A TLS client over memory BIOs: what it sends waits until `flush`,
        so the handshake's last flight and requests leave in one segment."""
        def __init__(self, before=b""):
            self.raw = socket.create_connection(("127.0.0.1", PORT), timeout=10)
            self.before = before
            self.incoming, self.outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
            self.obj = context().wrap_bio(self.incoming, self.outgoing, server_hostname="localhost")
            while True:
                try:
                    self.obj.do_handshake()
                    return
                except ssl.SSLWantReadError:
                    self.flush()
                    d = self.raw.recv(65536)
                    if not d: raise EOFError("closed during the handshake")
                    self.incoming.write(d)
        def flush(self):
            data = self.before + self.outgoing.read()
            self.before = b""
            if data: self.raw.sendall(data)
        def read_some(self):
            """The first decrypted bytes (session tickets may come first)."""
            while True:
                try:
                    return self.obj.read(65536)
                except ssl.SSLWantReadError:
                    d = self.raw.recv(65536)
                    if not d: raise EOFError("closed by the server")
                    self.incoming.write(d)
        def read_until_closed(self):
            """Everything until the server closes, and whether it said close_notify."""
            text, notify = b"", False
            while not notify:
                try:
                    d = self.raw.recv(65536)
                except socket.timeout:
                    return text, "stalled"
                if not d: break
                self.incoming.write(d)
                try:
                    while not notify:
                        chunk = self.obj.read(65536)
                        # Nothing, with no EOF on the memory BIO: the server's close_notify.
                        notify = chunk == b""
                        text += chunk
                except ssl.SSLWantReadError:
                    pass
                except ssl.SSLZeroReturnError:
                    notify = True
            return text, notify

    """#

    // MARK: serving

    func testKeepAliveRequestsPostsAndPipelinesOverOneConnection() throws {
        let s = try start()
        let r = try python(s, #"""
        s = connect(context(alpn=["h2", "http/1.1"]))
        rd = Reader(s)
        res = {"alpn": s.selected_alpn_protocol(), "version": s.version()}
        s.sendall(get("/health"))
        st, _, b = rd.response()
        res["health"] = [st, b.decode()]
        body = os.urandom(300 * 1024)
        s.sendall(b"POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        st, _, b = rd.response()
        j = json.loads(b)
        res["post"] = [st, j["body_length"], "same" if j["body_sha256"] == hashlib.sha256(body).hexdigest() else "differs"]
        s.sendall(b"".join(get("/echo?p=%d" % i) for i in range(5)))
        res["pipelined"] = [json.loads(rd.response()[2])["query"] for i in range(5)]
        out(res)
        """#)
        XCTAssertEqual(r["alpn"] as? String, "http/1.1", "http/1.1 chosen from h2,http/1.1")
        XCTAssertEqual(r["version"] as? String, "TLSv1.3")
        XCTAssertEqual(r["health"] as? [AnyHashable], [200, #"{"status":"healthy"}"#] as [AnyHashable])
        XCTAssertEqual(r["post"] as? [AnyHashable], [200, 300 * 1024, "same"] as [AnyHashable], "the body arrived whole")
        XCTAssertEqual(r["pipelined"] as? [String], (0..<5).map { "p=\($0)" })
    }

    func testAClientOfferingOnlyH2IsRefused() throws {
        let s = try start()
        let r = try python(s, #"""
        out({"h2": attempt(context(alpn=["h2"])), "none": attempt(context())})
        """#)
        let refused = try XCTUnwrap(r["h2"] as? String)
        XCTAssertTrue(refused.lowercased().contains("no application protocol") || refused.contains("NO_APPLICATION_PROTOCOL"), refused)
        XCTAssertEqual(r["none"] as? String, "200", "a client that offers no ALPN is served")
        XCTAssertTrue(s.errorLog().contains("TLS handshake failed"), "the refusal is logged")
    }

    func testOpenSSLClientVerifiesTheChain() throws {
        let s = try start()
        let r = try python(s, #"""
        import subprocess
        p = subprocess.run(["/usr/bin/openssl", "s_client", "-connect", "127.0.0.1:%d" % PORT, "-CAfile", CERTS + "/ca.pem",
                            "-servername", "localhost"], input=b"Q\n", stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=20)
        out({"output": p.stdout.decode("latin-1")})
        """#)
        let output = try XCTUnwrap(r["output"] as? String)
        XCTAssertTrue(output.contains("Verify return code: 0 (ok)"), output)
        XCTAssertTrue(output.contains("subject=CN = localhost") || output.contains("subject=CN=localhost"), output)
    }

    // MARK: refusals

    func testPlaintextOnTheTLSPortIsClosedAtOnceWhileTLSClientsAreServed() throws {
        let s = try start()
        let r = try python(s, #"""
        tls = connect(context())
        rd = Reader(tls)
        raw = socket.create_connection(("127.0.0.1", PORT), timeout=10)
        t0 = time.time()
        raw.sendall(get("/health"))
        try:
            data = raw.recv(1000)
        except ConnectionResetError:
            data = b""
        elapsed = time.time() - t0
        tls.sendall(get("/health", close=True))
        out({"elapsed": elapsed, "plain": data.decode("latin-1"), "tls": rd.response()[0]})
        """#)
        XCTAssertEqual(r["plain"] as? String, "", "nothing answered in plaintext")
        XCTAssertLessThan(try XCTUnwrap(r["elapsed"] as? Double), 1.0, "closed at once, not at header_read_timeout")
        XCTAssertEqual(r["tls"] as? Int, 200, "the TLS client was served meanwhile")
        let line = try s.waitForLogLine(containing: "TLS handshake failed")
        XCTAssertTrue(line.contains(" info ") && line.contains("127.0.0.1") && line.contains("http request"), line)
    }

    func testStalledHandshakesAreClosedAfterTheHeaderTimeout() throws {
        let s = try start(["--header-read-timeout", "1"])
        let r = try python(s, #"""
        silent = socket.create_connection(("127.0.0.1", PORT), timeout=10)
        half = socket.create_connection(("127.0.0.1", PORT), timeout=10)
        t0 = time.time()
        # A real ClientHello, made without a socket, of which half is sent.
        outgoing = ssl.MemoryBIO()
        hello = context().wrap_bio(ssl.MemoryBIO(), outgoing, server_hostname="localhost")
        try:
            hello.do_handshake()
        except ssl.SSLWantReadError:
            pass
        data = outgoing.read()
        half.sendall(data[:len(data) // 2])
        served = attempt(context())
        def closed_after(sock):
            try:
                d = sock.recv(100)
            except ConnectionResetError:
                d = b""
            except socket.timeout:
                return None
            return time.time() - t0 if d == b"" else "answered: %r" % d
        out({"served": served, "silent": closed_after(silent), "half": closed_after(half)})
        """#)
        XCTAssertEqual(r["served"] as? String, "200", "another client is served while two handshakes stall")
        for key in ["silent", "half"] {
            let after = try XCTUnwrap(r[key] as? Double, "\(key): \(r[key] ?? "not closed")")
            XCTAssertGreaterThan(after, 0.7, "\(key): not before header_read_timeout")
            XCTAssertLessThan(after, 5, "\(key): closed at header_read_timeout")
        }
        XCTAssertTrue(s.errorLog().contains("TLS handshake not complete within header_read_timeout"))
    }

    func testClientCertificatesRequiredAndOptional() throws {
        let c = try certificates()
        let required = try start(["--cert-reqs", "required", "--ca-certs", c.caCert])
        let r = try python(required, #"""
        out({"none": attempt(context()), "stranger": attempt(context(cert="stranger")), "client": attempt(context(cert="client"))})
        """#)
        XCTAssertTrue((r["none"] as? String)?.hasPrefix("refused") == true, "required: no certificate: \(r["none"] ?? "")")
        XCTAssertTrue((r["stranger"] as? String)?.hasPrefix("refused") == true, "required: a stranger's: \(r["stranger"] ?? "")")
        XCTAssertEqual(r["client"] as? String, "200", "required: the CA's client certificate is served")
        required.stopGracefully()
        XCTAssertEqual(required.unexpectedErrorLines(), [])

        let optional = try start(["--cert-reqs", "optional", "--ca-certs", c.caCert])
        let o = try python(optional, #"""
        out({"none": attempt(context()), "stranger": attempt(context(cert="stranger")), "client": attempt(context(cert="client"))})
        """#)
        XCTAssertEqual(o["none"] as? String, "200", "optional: no certificate is served")
        XCTAssertTrue((o["stranger"] as? String)?.hasPrefix("refused") == true, "optional: a stranger's: \(o["stranger"] ?? "")")
        XCTAssertEqual(o["client"] as? String, "200")
    }

    func testMinimumVersionRefusesOlderClients() throws {
        let s = try start(["--ssl-min-version", "TLSv1.3"])
        let r = try python(s, #"""
        out({"tls12": attempt(context(maxver=ssl.TLSVersion.TLSv1_2)), "tls13": attempt(context())})
        """#)
        XCTAssertTrue((r["tls12"] as? String)?.hasPrefix("refused") == true, "a client capped at TLS 1.2: \(r["tls12"] ?? "")")
        XCTAssertEqual(r["tls13"] as? String, "200")
    }

    // MARK: flow

    /// Twenty pipelined requests whose answers are 48 KiB each, read 2 KiB
    /// at a time through a small receive buffer: the worker pauses at the
    /// high-water mark, its TLS writes wait for the socket, and every
    /// response arrives whole and in order.
    func testLargeResponsesReadSlowlyArriveWholeAndInOrder() throws {
        let s = try start(["--output-high-water", "8k"])
        let r = try python(s, #"""
        pad = "".join("X-Pad-%d: %s\r\n" % (i, "p" * 8000) for i in range(6))
        count = 20
        pipeline = b"".join(get("/echo?i=%d" % i, extra=pad, close=(i == count - 1)) for i in range(count))
        s = connect(context(), rcvbuf=8192, timeout=30)
        s.setblocking(False)
        sent, got = 0, b""
        deadline = time.time() + 40
        closed = False
        while time.time() < deadline and not closed:
            r, w, _ = select.select([s], [s] if sent < len(pipeline) else [], [], 1)
            if w:
                try:
                    sent += s.send(pipeline[sent:sent + 16384])
                except (ssl.SSLWantWriteError, ssl.SSLWantReadError):
                    pass
            if r or s.pending():
                try:
                    chunk = s.recv(2048)
                    if not chunk: closed = True
                    got += chunk
                    time.sleep(0.001)
                except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                    pass
                except ssl.SSLZeroReturnError:
                    closed = True
        s.setblocking(True)
        rd = Reader(s)
        rd.buf = got
        answers = []
        for i in range(count):
            st, _, b = rd.response()
            j = json.loads(b)
            answers.append([st, j["query"], len(j["headers"].get("x-pad-5", ""))])
        out({"answers": answers, "closed": closed})
        """#, timeout: 90)
        let answers = try XCTUnwrap(r["answers"] as? [[AnyHashable]])
        XCTAssertEqual(answers, (0..<20).map { [200, "i=\($0)", 8000] as [AnyHashable] })
        XCTAssertEqual(r["closed"] as? Bool, true, "closed after the last response")
    }

    /// The client's Finished and two complete requests in one segment: the
    /// requests are read right after the handshake, whether OpenSSL or the
    /// kernel holds them, and both are answered; the server ends with
    /// close_notify.
    func testRequestsInTheHandshakesLastPacketAreAnswered() throws {
        let s = try start()
        let r = try python(s, #"""
        c = Unbuffered()
        c.obj.write(get("/echo?first"))
        c.obj.write(get("/echo?second", close=True))
        c.flush()
        text, notify = c.read_until_closed()
        out({"text": text.decode("latin-1"), "close_notify": notify})
        """#)
        let text = try XCTUnwrap(r["text"] as? String)
        XCTAssertEqual(text.components(separatedBy: "HTTP/1.1 200").count - 1, 2, text)
        XCTAssertTrue(text.contains(#""query":"first""#) && text.contains(#""query":"second""#), text)
        XCTAssertEqual(r["close_notify"] as? Bool, true, "the server says close_notify before it closes")
    }

    /// A POST of exactly the worker's input buffer (80 KiB) with a GET
    /// right behind it, arriving with the handshake's last flight in
    /// records of 1000 bytes, then 16 KiB: the worker's read stops where
    /// the GET begins, inside the last record, which OpenSSL keeps whole,
    /// with nothing left in the kernel for epoll to report. The connection
    /// still gets the turn that answers the GET.
    func testARequestThatOpenSSLHoldsBehindAFullBufferIsAnswered() throws {
        let s = try start()
        let r = try python(s, #"""
        head = b"POST /echo?first HTTP/1.1\r\nHost: localhost\r\nContent-Length: %05d\r\n\r\n"
        post = head % (81920 - len(head % 0)) + b"b" * (81920 - len(head % 0))
        pipeline = post + get("/echo?last", close=True)
        c = Unbuffered()
        c.raw.settimeout(5)
        c.obj.write(pipeline[:1000])
        c.obj.write(pipeline[1000:])
        c.flush()
        text, end = c.read_until_closed()
        text = text.decode("latin-1")
        out({"answers": text.count("HTTP/1.1 200"), "last": '"query":"last"' in text, "end": end})
        """#)
        XCTAssertEqual(r["answers"] as? Int, 2)
        XCTAssertEqual(r["last"] as? Bool, true)
        XCTAssertEqual(r["end"] as? Bool, true, "answered at once, not stalled until header_read_timeout")
    }

    /// The key readable by root only, and workers that run as nobody: each
    /// worker loads it before it drops privileges.
    func testARootOnlyKeyServesWorkersThatRunAsAnotherUser() throws {
        guard Privileges.effectiveUserID == 0 else { throw XCTSkip("needs root, to drop privileges to nobody") }
        let c = try certificates()
        let nobody = try Privileges.user("nobody")
        let dir = try ServerProcess.makeTemporaryDirectory("tls-root-key")
        XCTAssertEqual(chown(dir, nobody.uid, nobody.gid), 0)
        let secrets = dir + "/root-only"
        XCTAssertEqual(mkdir(secrets, 0o700), 0)
        let key = secrets + "/server.key"
        try FileManager.default.copyItem(atPath: c.serverKey, toPath: key)
        XCTAssertEqual(chmod(key, 0o600), 0)
        let s = try start(["--user", "nobody"], keyfile: key, directory: dir)
        let r = try python(s, #"""
        out({"tls": attempt(context())})
        """#)
        XCTAssertEqual(r["tls"] as? String, "200")
        let worker = try XCTUnwrap(s.workerPids()[0])
        let status = try String(contentsOfFile: "/proc/\(worker)/status", encoding: .utf8)
        let uid = status.split(separator: "\n").first { $0.hasPrefix("Uid:") }?.split(separator: "\t").dropFirst().first
        XCTAssertEqual(uid.map(String.init), "\(nobody.uid)", "the worker serves as nobody")
    }

    /// At `worker_connections`, a handshake that stalls is as idle as a
    /// connection that sent nothing: a new client takes its place at once,
    /// rather than waiting for the silent timeout.
    func testStalledHandshakesMakeRoomAtCapacity() throws {
        let s = try start(["--worker-connections", "2", "--header-read-timeout", "30", "--pressure-silent-timeout", "20"])
        let r = try python(s, #"""
        outgoing = ssl.MemoryBIO()
        hello = context().wrap_bio(ssl.MemoryBIO(), outgoing, server_hostname="localhost")
        try:
            hello.do_handshake()
        except ssl.SSLWantReadError:
            pass
        data = outgoing.read()
        stalled = []
        for i in range(2):
            c = socket.create_connection(("127.0.0.1", PORT), timeout=10)
            c.sendall(data[:len(data) // 2])
            stalled.append(c)
        time.sleep(0.3)
        t0 = time.time()
        served = attempt(context())
        out({"served": served, "after": time.time() - t0})
        """#)
        XCTAssertEqual(r["served"] as? String, "200")
        XCTAssertLessThan(try XCTUnwrap(r["after"] as? Double), 8, "served at once, not after the 20 s silent timeout")
    }

    /// After a keep-alive response the client sends the first bytes of a
    /// TLS record and no more: OpenSSL holds them, so the connection is not
    /// idle (a request has begun) and is closed at header_read_timeout, not
    /// kept open by its "unread bytes" for ever.
    func testAPartialRecordAfterAResponseIsClosedAtTheHeaderTimeout() throws {
        let s = try start(["--keepalive", "1", "--header-read-timeout", "2"])
        let r = try python(s, #"""
        c = Unbuffered()
        c.obj.write(get("/health"))
        c.flush()
        first = c.read_some()
        c.obj.write(get("/health"))
        record = c.outgoing.read()
        c.raw.sendall(record[:10])
        t0 = time.time()
        c.raw.settimeout(15)
        try:
            while c.raw.recv(65536): pass
            closed = time.time() - t0
        except ConnectionResetError:
            closed = time.time() - t0
        except socket.timeout:
            closed = None
        out({"first": first.decode("latin-1")[:15], "closed": closed})
        """#)
        XCTAssertEqual(r["first"] as? String, "HTTP/1.1 200 OK")
        let closed = try XCTUnwrap(r["closed"] as? Double, "still open after 15 s")
        XCTAssertGreaterThan(closed, 1.5, "not before header_read_timeout")
        XCTAssertLessThan(closed, 6)
    }

    // MARK: PROXY protocol

    /// With `proxy_protocol`, the header comes before the TLS handshake (as
    /// HAProxy's `send-proxy` to a TLS server): in pieces ahead of it, or in
    /// the same segment as the ClientHello; the client's address is the
    /// header's. A real HAProxy is served through `send-proxy ssl` too.
    func testAProxyProtocolHeaderComesBeforeTheHandshake() throws {
        let s = try start(["--proxy-protocol", "--proxy-allow-from", "127.0.0.1", "--access-logfile", "access.log",
                           "--access-logformat", "%(h)s %(U)s %(q)s"])
        let r = try python(s, #"""
        raw = socket.create_connection(("127.0.0.1", PORT), timeout=10)
        raw.sendall(b"PROXY TCP4 192.0.2.10 198.51.1")
        time.sleep(0.1)
        raw.sendall(b"00.1 56324 443\r\n")
        t = context().wrap_socket(raw, server_hostname="localhost")
        t.sendall(get("/echo?split", close=True))
        split = Reader(t).response()[0]
        c = Unbuffered(before=b"PROXY TCP4 192.0.2.11 198.51.100.1 56325 443\r\n")
        c.obj.write(get("/echo?together", close=True))
        c.flush()
        text, _ = c.read_until_closed()
        plain = attempt(context(), "/echo?without")
        out({"split": split, "together": text.decode("latin-1").split(" ")[1] if text else "", "without": plain})
        """#)
        XCTAssertEqual(r["split"] as? Int, 200)
        XCTAssertEqual(r["together"] as? String, "200")
        XCTAssertTrue((r["without"] as? String)?.hasPrefix("refused") == true, "no header from a proxy: \(r["without"] ?? "")")
        XCTAssertTrue(s.waitForAccessLog(containing: "together", atLeast: 1, timeout: 5))
        XCTAssertEqual(s.accessLogCount(containing: "192.0.2.10 /echo split"), 1)
        XCTAssertEqual(s.accessLogCount(containing: "192.0.2.11 /echo together"), 1)

        guard let binary = HAProxyProcess.findBinary() else { return }
        let proxy = try HAProxyProcess(binary: binary, servers: [("a", s.port)], serverOptions: "check send-proxy ssl verify none",
                                       frontendOnIPv6: true)
        defer { proxy.stop() }
        let deadline = Date().addingTimeInterval(10)
        var status = 0
        while Date() < deadline && status != 200 {
            status = (try? HTTPTestClient(port: proxy.port, host: "::1", timeout: 2).request("GET", "/echo?via=haproxy", close: true).status) ?? 0
            if status != 200 { Clock.sleep(milliseconds: 50) }
        }
        XCTAssertEqual(status, 200, "through HAProxy's send-proxy ssl; its log:\n\(proxy.logTail())")
        XCTAssertTrue(s.waitForAccessLog(containing: "via=haproxy", atLeast: 1, timeout: 5))
        XCTAssertEqual(s.accessLogCount(containing: "::1 /echo via=haproxy"), 1)
    }

    // MARK: listeners

    func testAdminAndUnixListenersStayPlain() throws {
        let c = try certificates()
        _ = c
        let dir = try ServerProcess.makeTemporaryDirectory("tls-plain")
        let unixPath = dir + "/app.sock"
        let adminPort = try Self.freePort()
        let s = try start(["--bind", "unix:" + unixPath, "--admin-bind", "127.0.0.1:\(adminPort)"])
        let viaUnix = try HTTPTestClient(unixPath: unixPath).request("GET", "/health", close: true)
        XCTAssertEqual(viaUnix.status, 200, "plain HTTP on the Unix socket")
        let viaAdmin = try HTTPTestClient(port: adminPort).request("GET", "/status", close: true)
        XCTAssertEqual(viaAdmin.status, 200, "plain HTTP on the admin listener")
        let r = try python(s, #"""
        out({"tls": attempt(context())})
        """#)
        XCTAssertEqual(r["tls"] as? String, "200", "TLS on the TCP bind")
        ServerProcess.removeTemporaryDirectory(dir)
    }

    /// A port nothing listens on now (bound, read, closed).
    static func freePort() throws -> UInt16 {
        let probe = try Socket.listen(on: .ipv4("127.0.0.1", 0), backlog: 1)
        defer { probe.closeAfterFailure() }
        guard case .ipv4(_, let port)? = try Socket.localAddress(probe) else { throw SystemError("getsockname", .EINVAL) }
        return port
    }

    // MARK: memory

    /// Memory per idle keep-alive connection, plain and TLS: a worker's RSS
    /// before and after 1000 connections that each made one request and
    /// stay open. Printed for docs/performance.md; the bound only catches a
    /// connection that keeps its TLS buffers while idle.
    func testMemoryPerIdleConnectionPlainAndTLS() throws {
        let c = try certificates()
        let settings = ["--app", "echo", "--workers", "1", "--worker-connections", "4000", "--keepalive", "120",
                        "--header-read-timeout", "120", "--log-level", "info"]
        var perConnection: [String: Int] = [:]
        for tls in [false, true] {
            let dir = try ServerProcess.makeTemporaryDirectory("tls-memory")
            let s = try ServerProcess(arguments: settings + (tls ? ["--certfile", c.serverCert, "--keyfile", c.serverKey] : []),
                                      directory: dir)
            server = s
            try s.waitReady()
            let worker = try XCTUnwrap(s.workerPids()[0])
            // Warm up the paths a connection takes, so the baseline holds their code and caches.
            let script = try PythonScript(TLSTests.prelude + #"""
            import resource
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
            use_tls = sys.argv[3] == "tls"
            ctx = context()
            def open_one():
                if use_tls:
                    c = connect(ctx)
                else:
                    c = socket.create_connection(("127.0.0.1", PORT), timeout=10)
                c.sendall(get("/health"))
                Reader(c).response()
                return c
            for c in [open_one() for i in range(20)]: c.close()
            out({"phase": "warm"})
            while not os.path.exists(HERE + "/measure") : time.sleep(0.02)
            held = [open_one() for i in range(1000)]
            out({"phase": "open", "count": len(held)})
            while not os.path.exists(HERE + "/done"): time.sleep(0.02)
            for c in held: c.close()
            out({"phase": "closed"})
            """#, arguments: ["\(s.port)", c.directory, tls ? "tls" : "plain"], directory: dir)
            func waitFor(_ phase: String) throws {
                let deadline = Date().addingTimeInterval(120)
                while !script.output.contains("\"\(phase)\"") {
                    guard Date() < deadline else { throw ServerError(message: "python client never reached \(phase): \(script.output)") }
                    Clock.sleep(milliseconds: 20)
                }
            }
            try waitFor("warm")
            Clock.sleep(milliseconds: 300)
            let before = try XCTUnwrap(Process.residentBytes(of: worker))
            XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/measure", contents: Data()))
            try waitFor("open")
            Clock.sleep(milliseconds: 300)
            let after = try XCTUnwrap(Process.residentBytes(of: worker))
            XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/done", contents: Data()))
            _ = try script.wait(timeout: 60)
            perConnection[tls ? "tls" : "plain"] = (after - before) / 1000
            print("memory per idle \(tls ? "TLS" : "plain") connection: \((after - before) / 1000) bytes (worker RSS \(before >> 10) -> \(after >> 10) KiB)")
            s.stopGracefully()
            XCTAssertEqual(s.unexpectedErrorLines(), [])
            server = nil
        }
        let tls = try XCTUnwrap(perConnection["tls"]), plain = try XCTUnwrap(perConnection["plain"])
        XCTAssertLessThan(tls - plain, 48 << 10, "an idle TLS connection should not keep its 16 KiB read and write buffers")
    }

    // MARK: resumption

    /// With two workers, a client resumes its first session on every new
    /// connection, whichever worker accepts it (both do, by the access
    /// log's pid), and still after a HUP replaced both workers.
    func testSessionsResumeOnEveryWorkerAndAcrossAReload() throws {
        let s = try start(["--access-logfile", "access.log", "--access-logformat", "%(p)s %(U)s %(q)s"], workers: 2)
        let script = try PythonScript(TLSTests.prelude + #"""
        ctx = context()
        first = connect(ctx)
        rd = Reader(first)
        first.sendall(get("/echo", extra="X-N: 0\r\n"))
        rd.response()
        session = first.session
        # Held open, so the accept balancer spreads the next ones over both workers.
        held, reused = [first], []
        for i in range(1, 16):
            c = connect(ctx, session=session)
            c.sendall(get("/echo?c=%d" % i))
            Reader(c).response()
            reused.append(c.session_reused)
            held.append(c)
        for c in held: c.close()
        out({"phase": 1})
        deadline = time.time() + 60
        while not os.path.exists(HERE + "/go") and time.time() < deadline: time.sleep(0.02)
        after = []
        for i in range(4):
            c = connect(ctx, session=session)
            c.sendall(get("/echo?after=%d" % i, close=True))
            Reader(c).response()
            after.append(c.session_reused)
            c.close()
        out({"reused": reused, "after": after})
        """#, arguments: ["\(s.port)", try certificates().directory], directory: s.directory)
        let phase1 = Date().addingTimeInterval(60)
        while !script.output.contains("\"phase\"") && Date() < phase1 { Clock.sleep(milliseconds: 20) }
        XCTAssertTrue(s.waitForAccessLog(containing: "c=15", atLeast: 1, timeout: 10))
        let log = (try? String(contentsOfFile: s.directory + "/access.log", encoding: .utf8)) ?? ""
        let pids = Set(log.split(separator: "\n").filter { $0.contains("c=") }.compactMap { $0.split(separator: " ").first })
        XCTAssertEqual(pids.count, 2, "both workers accepted resumed connections: \(log)")
        let mark = try s.notificationMark()
        try s.signal(SIGHUP)
        try s.waitForNotification("RELOADING=1", after: mark, timeout: 30)
        try s.waitForNotification("READY=1", after: mark, timeout: 30)
        XCTAssertTrue(FileManager.default.createFile(atPath: s.directory + "/go", contents: Data()))
        let r = try PythonScript.lastJSONObject(try script.wait(timeout: 60))
        XCTAssertEqual(r["reused"] as? [Bool], Array(repeating: true, count: 15), "resumed on every new connection")
        XCTAssertEqual(r["after"] as? [Bool], Array(repeating: true, count: 4), "the ticket keys survive a reload")
    }
}
