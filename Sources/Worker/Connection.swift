import Posix
import ServerCore

/// One client connection: its input and output buffers, its parser and where
/// it is in the request cycle. Owned by the `EventLoop`; never blocks.
final class Connection {
    enum Phase {
        /// Waiting for the first byte of a request (new or keep-alive idle).
        case idle
        /// Some of a request has arrived.
        case reading
        /// Output pending, socket not writable yet.
        case writing
        /// Error response sent and write side shut: discarding input until the
        /// peer closes or the linger time ends, so that our response is not
        /// destroyed by a reset (nginx's lingering close).
        case lingering
    }

    let fd: FileDescriptor
    let remoteAddress: String
    /// Accepted on an admin listener: only the admin endpoints answer.
    var isAdmin = false
    var parser: HTTP1Parser
    var input: [UInt8]
    var inputStart = 0
    var inputEnd = 0
    var output: [UInt8] = []
    var outputSent = 0
    var phase: Phase = .idle
    /// Close once the output is flushed.
    var closeAfterWrite = false
    /// Whether the connection served at least one request (keep-alive idle vs new).
    var served = false
    /// When the current phase times out (monotonic ns).
    var deadline: UInt64 = 0
    /// When the current request's first byte arrived.
    var requestStarted: UInt64 = 0
    /// Position in the event loop's list of open connections.
    var listIndex = 0
    /// True while EPOLLOUT is registered.
    var wantsWritable = false

    init(fd: FileDescriptor, remoteAddress: String, limits: HTTPLimits, initialBuffer: Int) {
        self.fd = fd
        self.remoteAddress = remoteAddress
        parser = HTTP1Parser(limits: limits)
        input = [UInt8](repeating: 0, count: initialBuffer)
    }

    var hasPendingOutput: Bool { outputSent < output.count }
    var bufferedInput: Int { inputEnd - inputStart }

    /// Makes room for at least `minimum` more bytes at the end of `input`,
    /// compacting first and growing only when the unparsed data needs it.
    func reserveInput(minimum: Int) {
        if inputStart > 0 && (inputStart == inputEnd || input.count - inputEnd < minimum) {
            if inputStart < inputEnd {
                input.withUnsafeMutableBytes { p in
                    p.baseAddress!.copyMemory(from: p.baseAddress! + inputStart, byteCount: inputEnd - inputStart)
                }
            }
            inputEnd -= inputStart
            inputStart = 0
        }
        if input.count - inputEnd < minimum {
            input.append(contentsOf: repeatElement(0, count: max(minimum, input.count)))
        }
    }

    /// Drops output that was written, keeping the buffer's capacity.
    func resetOutputIfDone() {
        if outputSent == output.count {
            output.removeAll(keepingCapacity: true)
            outputSent = 0
        }
    }
}
