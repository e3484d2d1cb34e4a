import Foundation
import ServerCore
import TestSupport
import XCTest

/// OpenSSL's reasons as the log shows them: a failed system call says its
/// errno in words, once.
final class TLSErrorReasonTests: XCTestCase {
    func testAMissingFileSaysWhyInWords() throws {
        let dir = NSTemporaryDirectory() + "paddock-tls-reason-" + UUID().uuidString
        XCTAssertThrowsError(try TLSServerContext.validate(TLSConfiguration(certfile: dir + "/missing.pem", keyfile: dir + "/missing.key"))) {
            let text = "\($0)"
            XCTAssertTrue(text.hasPrefix("certfile \(dir)/missing.pem: "), text)
            XCTAssertTrue(text.contains("No such file or directory"), text)
            XCTAssertFalse(text.contains("system lib; system lib"), text)
        }
    }
}
