import TestSupport
import XCTest

/// The integration tests that run one server at a time: the server a test
/// leaves in `server` is stopped gracefully at the end, and its error log
/// must hold no line the test did not expect.
class ServerTestCase: XCTestCase {
    var server: ServerProcess?

    override func tearDown() {
        if let server {
            server.stopGracefully()
            XCTAssertEqual(server.unexpectedErrorLines(), [], "unexpected error lines in the server log")
        }
        server = nil
        super.tearDown()
    }
}
