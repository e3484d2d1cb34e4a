import CSSL

/// One certificate of a PEM file, as an operator reads it: its subject and
/// when it stops being valid. `--check-config` prints these for `certfile`,
/// and the master warns at start and on `HUP` when one expires soon.
public struct TLSCertificate: Sendable, Equatable {
    /// The subject in OpenSSL's one-line form (`/CN=example.com/O=Example`).
    public var subject: String
    /// The end of the validity period (notAfter), in seconds since the epoch.
    public var notAfter: Int64

    public init(subject: String, notAfter: Int64) {
        self.subject = subject
        self.notAfter = notAfter
    }

    /// Every certificate in the PEM file at `path`, in file order (a chain:
    /// the leaf first). Throws OpenSSL's reason naming the file when it
    /// cannot be read or holds none.
    public static func load(_ path: String) throws(TLSError) -> [TLSCertificate] {
        ERR_clear_error()
        guard let bio = BIO_new_file(path, "r") else { throw TLSError.fromQueue(path) }
        defer { BIO_free(bio) }
        var certificates: [TLSCertificate] = []
        while let x509 = PEM_read_bio_X509(bio, nil, nil, nil) {
            defer { X509_free(x509) }
            certificates.append(try TLSCertificate(x509, path: path))
        }
        // The loop ends on the PEM reader's "no start line" at the end of the file.
        let reasons = TLSError.drainQueue()
        guard !certificates.isEmpty else { throw TLSError(reasons.isEmpty ? "\(path): no certificate" : "\(path): \(reasons)") }
        return certificates
    }

    init(_ x509: OpaquePointer, path: String) throws(TLSError) {
        var name = [CChar](repeating: 0, count: 512)
        X509_NAME_oneline(X509_get_subject_name(x509), &name, Int32(name.count))
        subject = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // notAfter as seconds since the epoch: its distance from 1970-01-01.
        guard let epoch = ASN1_TIME_set(nil, 0) else { throw TLSError.fromQueue("\(path): ASN1_TIME_set failed") }
        defer { ASN1_TIME_free(epoch) }
        var days: Int32 = 0, seconds: Int32 = 0
        guard ASN1_TIME_diff(&days, &seconds, epoch, X509_get0_notAfter(x509)) == 1 else {
            throw TLSError.fromQueue("\(path): \(subject): unreadable notAfter")
        }
        notAfter = Int64(days) * 86_400 + Int64(seconds)
    }
}
