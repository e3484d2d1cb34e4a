import Glibc
import Posix
import TestSupport
import XCTest

/// The tests that run several instances behind a real HAProxy under load:
/// at the end the load stops, then HAProxy, then every instance (all sent
/// TERM first, so their shutdown delays overlap), each of whose error logs
/// must hold only the lines in `allowed`; then the listeners close.
class InstancesTestCase: XCTestCase {
    var servers: [ServerProcess] = []
    var haproxy: HAProxyProcess?
    var load: LoadGenerator?
    var listeners: [FileDescriptor] = []
    /// Log lines a test expects (outages it causes on purpose).
    var allowed: [String] = []

    override func setUp() {
        super.setUp()
        // A write to a connection a peer reset must fail, not kill the test run.
        signal(SIGPIPE, SIG_IGN)
    }

    override func tearDown() {
        _ = load?.stop(timeout: 10)
        load = nil
        haproxy?.stop()
        haproxy = nil
        for s in servers where (try? s.reapIfExited()) == nil { _ = Glibc.kill(s.pid, SIGTERM) }
        for s in servers {
            s.stopGracefully()
            XCTAssertEqual(s.unexpectedErrorLines(allowing: allowed), [], "unexpected error lines in the log of \(s.directory)")
        }
        servers = []
        for fd in listeners { fd.closeAfterFailure() }
        listeners = []
        super.tearDown()
    }
}
