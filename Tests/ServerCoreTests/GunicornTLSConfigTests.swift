import TestSupport
import XCTest
@testable import ServerCore

/// gunicorn's TLS settings in a `gunicorn.conf.py`: the file settings map to
/// Paddock's, `cert_reqs` takes Python's `ssl.CERT_*` numbers, and the
/// settings Paddock has no use for say what it does instead.
final class GunicornTLSConfigTests: XCTestCase {
    private func parse(_ text: String) throws -> GunicornConfig.Result {
        try GunicornConfig.parse(text: text, path: "gunicorn.conf.py", environment: [:], specs: Settings.all, cpuCount: 4)
    }

    private func load(_ text: String) throws -> Configuration {
        try ConfigLoader.load(arguments: ["--config", try writeConfig(text, named: "gunicorn.conf.py")], environment: [:],
                              defaultConfigPath: "/nonexistent/server.conf", defaultEnvFilePath: "/nonexistent/.env").configuration
    }

    func testFileSettingsMapToPaddocksOwn() throws {
        let c = try load("""
            certfile = "/etc/letsencrypt/live/example.com/fullchain.pem"
            keyfile = "/etc/letsencrypt/live/example.com/privkey.pem"
            ca_certs = "/etc/paddock/clients-ca.pem"
            cert_reqs = 2
            ciphers = "ECDHE+AESGCM"

            """)
        XCTAssertEqual(c[Settings.certfile], "/etc/letsencrypt/live/example.com/fullchain.pem")
        XCTAssertEqual(c[Settings.keyfile], "/etc/letsencrypt/live/example.com/privkey.pem")
        XCTAssertEqual(c[Settings.caCerts], "/etc/paddock/clients-ca.pem")
        XCTAssertEqual(c[Settings.certReqs], .required)
        XCTAssertEqual(c[Settings.ciphers], "ECDHE+AESGCM")
        XCTAssertEqual(try TLSConfiguration(c)?.clientCertificates, .required)
    }

    func testCertReqsTakesGunicornsNumbersAndSSLConstants() throws {
        let cases: [(String, ClientCertificatePolicy)] = [
            ("cert_reqs = 0\n", .none), ("cert_reqs = 1\n", .optional), ("cert_reqs = 2\n", .required),
            ("import ssl\ncert_reqs = ssl.CERT_REQUIRED\n", .required),
            ("import ssl\ncert_reqs = ssl.CERT_OPTIONAL\n", .optional),
            ("import ssl\ncert_reqs = ssl.CERT_NONE\n", .none),
            ("from ssl import CERT_REQUIRED\ncert_reqs = CERT_REQUIRED\n", .required),
        ]
        for (text, policy) in cases {
            let r = try parse(text)
            XCTAssertEqual(r.entries.map(\.value), [policy.rawValue], text)
            XCTAssertEqual(r.entries.first?.key, "cert_reqs", text)
            XCTAssertEqual(r.warnings, [], text)
        }
        XCTAssertThrowsError(try parse("cert_reqs = 3\n")) {
            XCTAssertEqual("\($0)", "gunicorn.conf.py:1: cert_reqs = 3: expected 0, 1 or 2 (ssl.CERT_NONE, ssl.CERT_OPTIONAL, ssl.CERT_REQUIRED)")
        }
        XCTAssertThrowsError(try parse("cert_reqs = ssl.CERT_REQUIRED\n")) {
            XCTAssertTrue("\($0)".contains("ssl is used but not imported"), "\($0)")
        }
    }

    func testSettingsWithoutAPaddockCounterpartSayWhatPaddockDoes() throws {
        let r = try parse("import ssl\nssl_version = ssl.PROTOCOL_TLS_SERVER\ndo_handshake_on_connect = True\nsuppress_ragged_eofs = False\n")
        XCTAssertEqual(r.entries.count, 0)
        XCTAssertEqual(r.warnings.count, 3, "\(r.warnings)")
        XCTAssertTrue(r.warnings[0].hasPrefix("gunicorn.conf.py:2: gunicorn's ssl_version does not apply"), r.warnings[0])
        XCTAssertTrue(r.warnings[0].contains("ssl_min_version"), r.warnings[0])
        XCTAssertTrue(r.warnings[1].contains("handshake in the worker's event loop"), r.warnings[1])
        XCTAssertTrue(r.warnings[2].contains("EOF without close_notify"), r.warnings[2])
        XCTAssertFalse(r.warnings.joined().contains("not supported yet"))
    }
}
