import Posix
import ServerCore

/// One client connection: its transport (plain or TLS), its input and
/// output buffers, its parser and where it is in the request cycle
/// (`ConnectionMachine`). Owned by the `EventLoop`;
/// never blocks.
///
/// Memory per connection is bounded: unparsed input by `inputLimit` (one
/// request head plus a read's worth), a body being received by the body
/// limit (held by the parser), output by `OutputFlow`'s high-water mark plus
/// one response. Buffers that grew for a large request shrink back once it
/// is answered.
final class Connection {
    /// The input buffer a connection starts with and shrinks back to.
    static let initialInput = 4096
    /// Output capacity kept between responses; more is released once written.
    static let retainedOutput = 65_536

    let fd: FileDescriptor
    /// The socket as it is, or a TLS session over it.
    let transport: ConnectionTransport
    /// What a blocked TLS step waits for, beyond the request cycle's interest.
    var waits = ConnectionTransport.Waits()
    /// The last read stopped for want of room while the transport still
    /// held input: a turn is owed that epoll will not announce.
    var transportHeldInput = false
    /// The peer's address, or the client's from a PROXY protocol header.
    var remoteAddress: String
    /// The first bytes must be a PROXY protocol header (`proxy_protocol`).
    var awaitsProxyHeader = false
    /// Accepted on an admin listener: only the admin endpoints answer.
    var isAdmin = false
    var parser: HTTP1Parser
    var input: [UInt8]
    var inputStart = 0
    var inputEnd = 0
    /// Most unparsed bytes held: a complete head always fits, so parsing
    /// always makes progress, and a pipeline waits in the kernel, not here.
    let inputLimit: Int
    var output: [UInt8] = []
    var outputSent = 0
    /// Where the request cycle is, whether it closes after this output,
    /// backpressure, and the deadlines.
    var machine: ConnectionMachine
    /// Position in the event loop's list of open connections.
    var listIndex = 0
    /// Waiting in the event loop's ready list for another turn.
    var queued = false
    /// The epoll events registered for this connection.
    var interest: UInt32 = 0

    init(fd: FileDescriptor, remoteAddress: String, limits: HTTPLimits, machine: ConnectionMachine,
         transport: ConnectionTransport = .plain, initialBuffer: Int = Connection.initialInput) {
        self.fd = fd
        self.transport = transport
        self.remoteAddress = remoteAddress
        parser = HTTP1Parser(limits: limits)
        input = [UInt8](repeating: 0, count: initialBuffer)
        inputLimit = limits.headSize + 16_384
        self.machine = machine
    }

    var hasPendingOutput: Bool { outputSent < output.count }
    var unsentOutput: Int { output.count - outputSent }
    var bufferedInput: Int { inputEnd - inputStart }
    /// Unparsed input here or in the transport (TLS records OpenSSL holds).
    var holdsInput: Bool { inputEnd > inputStart || transport.hasBufferedInput }

    /// Idle: nothing buffered either way, no request under way (a TLS
    /// handshake in progress counts as idle: no request started).
    var isIdle: Bool {
        (machine.phase == .idle || machine.phase == .handshaking) && inputStart == inputEnd && !hasPendingOutput && !machine.closeAfterWrite && !queued
    }

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

    /// Once every buffered byte is parsed: start the buffer over, and give
    /// back what a large request made it grow to.
    func resetInputIfConsumed() {
        guard inputStart == inputEnd else { return }
        inputStart = 0
        inputEnd = 0
        if input.count > 4 * Connection.initialInput {
            input = [UInt8](repeating: 0, count: Connection.initialInput)
        }
    }

    /// Drops output that was written; keeps a small buffer's capacity for
    /// the next response and releases a large one.
    func resetOutputIfDone() {
        if outputSent == output.count {
            if output.capacity > Connection.retainedOutput { output = [] } else { output.removeAll(keepingCapacity: true) }
            outputSent = 0
        }
    }
}
