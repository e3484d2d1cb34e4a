import Foundation
import Posix

/// A throwaway certificate authority and certificates made with the
/// `openssl` command for the TLS tests: a server certificate for
/// `localhost`, 127.0.0.1 and ::1, a second one from the same authority (a
/// renewal), a client certificate from the authority, one from a stranger
/// authority, and a key that matches none of them.
public struct TestCertificates: Sendable {
    public let directory: String
    public var caCert: String { directory + "/ca.pem" }
    public var serverCert: String { directory + "/server.pem" }
    public var serverKey: String { directory + "/server.key" }
    public var renewedCert: String { directory + "/renewed.pem" }
    public var renewedKey: String { directory + "/renewed.key" }
    public var clientCert: String { directory + "/client.pem" }
    public var clientKey: String { directory + "/client.key" }
    public var strangerCert: String { directory + "/stranger.pem" }
    public var strangerKey: String { directory + "/stranger.key" }
    public var unrelatedKey: String { directory + "/unrelated.key" }

    /// Makes every file in `directory` (created if missing).
    public init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let ext = directory + "/server.ext"
        try "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\n"
            .write(toFile: ext, atomically: true, encoding: .utf8)
        let clientExt = directory + "/client.ext"
        try "extendedKeyUsage=clientAuth\n".write(toFile: clientExt, atomically: true, encoding: .utf8)
        try Self.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                          "-keyout", directory + "/ca.key", "-out", directory + "/ca.pem", "-days", "\(Self.validDays)", "-subj", "/CN=Paddock Test CA"])
        try Self.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                          "-keyout", directory + "/stranger-ca.key", "-out", directory + "/stranger-ca.pem", "-days", "\(Self.validDays)",
                          "-subj", "/CN=Stranger CA"])
        try issue(name: "server", subject: "/CN=localhost", ca: "ca", extensions: ext)
        try issue(name: "renewed", subject: "/CN=localhost/O=Renewed", ca: "ca", extensions: ext)
        try issue(name: "client", subject: "/CN=test-client", ca: "ca", extensions: clientExt)
        try issue(name: "stranger", subject: "/CN=stranger", ca: "stranger-ca", extensions: clientExt)
        try Self.openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-out", unrelatedKey])
    }

    /// Longer than the 14 days within which the master warns of an expiry,
    /// so servers using these certificates log no warning.
    public static let validDays = 30

    /// A server certificate for localhost from the test authority that ends
    /// `days` days from now (negative: expired that long ago), and its key:
    /// `NAME.pem` and `NAME.key`.
    @discardableResult
    public func issueServerCertificate(name: String, days: Int, subject: String = "/CN=localhost") throws -> (cert: String, key: String) {
        try issue(name: name, subject: subject, ca: "ca", extensions: directory + "/server.ext", days: days)
        return (directory + "/\(name).pem", directory + "/\(name).key")
    }

    private func issue(name: String, subject: String, ca: String, extensions: String, days: Int = TestCertificates.validDays) throws {
        let key = directory + "/\(name).key", csr = directory + "/\(name).csr"
        try Self.openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                          "-keyout", key, "-out", csr, "-subj", subject])
        try Self.openssl(["x509", "-req", "-in", csr, "-CA", directory + "/\(ca).pem", "-CAkey", directory + "/\(ca).key",
                          "-CAcreateserial", "-out", directory + "/\(name).pem", "-days", "\(days)", "-extfile", extensions])
    }

    static func openssl(_ arguments: [String]) throws {
        _ = try PostgresCluster.runCapturing("/usr/bin/openssl", arguments)
    }

    /// Puts a copy of `source` at `path` as certbot renews: written beside
    /// the old file and renamed over it, so a reader sees one or the other.
    public static func replace(_ path: String, with source: String) throws {
        let staged = path + ".new"
        try FileManager.default.copyItem(atPath: source, toPath: staged)
        try Files.rename(staged, to: path)
    }
}
