import Posix

/// The TLS session ticket keys every worker shares (80 bytes: a key name,
/// an HMAC key and an AES key), so that a client resumes its session
/// whichever worker accepts its next connection.
///
/// The master makes them once, at its start, from the CSPRNG, and keeps
/// them across HUP, so resumption survives a reload (a USR2 upgrade makes
/// new ones: the next image is a new program). Workers inherit them in a
/// memfd at `WorkerContract.ticketKeysFD`, never through the environment
/// or argv, which `/proc` shows and which end up in crash reports.
public final class SessionTicketKeys {
    /// What `SSL_CTX_set_tlsext_ticket_keys` takes.
    public static let length = 80

    private let keys: [UInt8]
    private var file: FileDescriptor?

    /// New random keys. The C function is `RAND_bytes(3)`.
    public init() {
        keys = Digest.randomBytes(SessionTicketKeys.length)
    }

    deinit {
        file?.closeAfterFailure()
    }

    /// The memfd holding the keys, written at the first call and reused by
    /// every spawn after it.
    public func memfd() throws -> FileDescriptor {
        if let file { return file }
        let fd = try Files.memfd(name: "paddock-ticket-keys")
        do { try fd.writeAll(keys) } catch {
            fd.closeAfterFailure()
            throw error
        }
        file = fd
        return fd
    }

    /// In a worker: the keys in the inherited `fd`, which is closed. Nil
    /// when there is no such fd (a worker of this version spawned by an
    /// older master during a reload) or it holds something else: the worker
    /// then keeps OpenSSL's own keys, and only it resumes its sessions.
    public static func inherited(_ fd: FileDescriptor) throws -> [UInt8]? {
        let size: Int
        do { size = try fd.size() } catch let e as SystemError where e.errno == .EBADF { return nil }
        let bytes: [UInt8]
        do { bytes = size == length ? try fd.readAllFromStart() : [] } catch {
            fd.closeAfterFailure()
            throw error
        }
        try fd.close()
        return bytes.count == length ? bytes : nil
    }
}
