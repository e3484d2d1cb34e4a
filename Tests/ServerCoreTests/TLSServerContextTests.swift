import Foundation
import ServerCore
import TestSupport
import XCTest

final class TLSServerContextTests: XCTestCase {
    static let certificates: Result<TestCertificates, Error> = Result {
        try TestCertificates(directory: NSTemporaryDirectory() + "paddock-tls-context-" + UUID().uuidString)
    }

    private func certificates() throws -> TestCertificates { try Self.certificates.get() }

    func testMatchingCertificateAndKeyLoad() throws {
        let c = try certificates()
        XCTAssertNoThrow(try TLSServerContext.validate(TLSConfiguration(certfile: c.serverCert, keyfile: c.serverKey)))
        XCTAssertNoThrow(try TLSServerContext.validate(TLSConfiguration(certfile: c.serverCert, keyfile: c.serverKey, caCerts: c.caCert,
                                                                        clientCertificates: .required, minimumVersion: .tls13)))
    }

    func testAKeyOfAnotherCertificateIsRefusedNamingTheKeyFile() throws {
        let c = try certificates()
        XCTAssertThrowsError(try TLSServerContext.validate(TLSConfiguration(certfile: c.serverCert, keyfile: c.unrelatedKey))) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("keyfile \(c.unrelatedKey)"), text)
            XCTAssertTrue(text.contains("mismatch"), text)
        }
    }

    func testAMissingOrNonPEMFileIsRefusedNamingIt() throws {
        let c = try certificates()
        XCTAssertThrowsError(try TLSServerContext.validate(TLSConfiguration(certfile: c.directory + "/missing.pem", keyfile: c.serverKey))) {
            XCTAssertTrue("\($0)".hasPrefix("certfile \(c.directory)/missing.pem"), "\($0)")
        }
        XCTAssertThrowsError(try TLSServerContext.validate(TLSConfiguration(certfile: c.directory + "/server.ext", keyfile: c.serverKey))) {
            XCTAssertTrue("\($0)".contains("no start line"), "\($0)")
        }
        XCTAssertThrowsError(try TLSServerContext.validate(TLSConfiguration(certfile: c.serverCert, keyfile: c.serverKey, ciphers: "NOT-A-CIPHER"))) {
            XCTAssertTrue("\($0)".hasPrefix("ciphers NOT-A-CIPHER"), "\($0)")
        }
    }

    func testSettingsResolveAndPairedKeysAreRequired() throws {
        XCTAssertNil(try TLSConfiguration(ConfigLoader.parse(text: "", path: "c")))
        let tls = try TLSConfiguration(ConfigLoader.parse(text: "certfile = a.pem\nkeyfile = a.key\nssl_min_version = tlsv1.3\n", path: "c"))
        XCTAssertEqual(tls?.certfile, "a.pem")
        XCTAssertEqual(tls?.minimumVersion, .tls13)
        XCTAssertThrowsError(try TLSConfiguration(ConfigLoader.parse(text: "certfile = a.pem\n", path: "server.conf"))) {
            XCTAssertEqual("\($0)", "server.conf:1: certfile is set but keyfile is not")
        }
        XCTAssertThrowsError(try TLSConfiguration(ConfigLoader.parse(text: "certfile = a.pem\nkeyfile = a.key\ncert_reqs = required\n", path: "c"))) {
            XCTAssertTrue("\($0)".hasSuffix("cert_reqs = required needs ca_certs"), "\($0)")
        }
    }
}
