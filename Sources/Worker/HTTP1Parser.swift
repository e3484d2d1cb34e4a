/// An incremental HTTP/1.1 request parser (RFC 9112), strict about framing.
///
/// The connection feeds the unconsumed bytes of its read buffer; the parser says how many
/// it consumed and what they made. While the head is incomplete nothing is consumed and
/// nothing is copied: the next call sees the same bytes plus what arrived, and the head is
/// parsed in one pass from the connection's buffer once its empty line is there. Body bytes
/// are consumed as they come and kept here until the request is complete.
struct HTTP1Parser {
    private enum State {
        case head
        case fixedBody(remaining: Int)
        case chunkedBody
        case failed(HTTPParseError)
    }

    let limits: HTTPLimits
    private var state = State.head
    private var scanner = HTTP1HeadScanner()
    private var sawHeadByte = false
    /// The request whose body is being read; its body is kept apart in `body`.
    private var pending: ParsedRequest?
    private var body: [UInt8] = []
    private var chunked = HTTP1ChunkedDecoder()

    init(limits: HTTPLimits) {
        self.limits = limits
    }

    /// True when no byte of the next request has been seen (header_read_timeout starts at the first byte).
    var isIdle: Bool {
        if case .head = state { return !sawHeadByte }
        return false
    }

    /// True while reading a body (body_read_timeout applies).
    var isReadingBody: Bool {
        switch state {
        case .fixedBody, .chunkedBody: return true
        case .head, .failed: return false
        }
    }

    /// Feeds the unconsumed bytes of the connection's buffer. Returns how many bytes it consumed
    /// (the caller drops them) and the result.
    /// Call again with the remaining bytes after `.request` (pipelining) and after `.expectContinue`.
    mutating func parse(_ bytes: UnsafeRawBufferPointer) -> (consumed: Int, result: HTTP1ParseResult) {
        do {
            switch state {
            case .failed(let error):
                return (0, .failure(error))
            case .head:
                return try parseHead(bytes)
            case .fixedBody(let remaining):
                return readFixedBody(bytes, remaining: remaining, consumedBefore: 0)
            case .chunkedBody:
                return try readChunkedBody(bytes, consumedBefore: 0)
            }
        } catch {
            // Nothing after a bad request is processed: the connection answers and closes.
            state = .failed(error)
            return (0, .failure(error))
        }
    }

    private mutating func parseHead(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) -> (consumed: Int, result: HTTP1ParseResult) {
        guard bytes.count > 0 else { return (0, .needMore) }
        sawHeadByte = true
        guard case let .complete(start, end, fieldLines) = try scanner.scan(bytes, limits: limits) else {
            return (0, .needMore)
        }
        let head = try HTTP1Head.parse(bytes, start, end, fieldLines: fieldLines, limits: limits)
        scanner = HTTP1HeadScanner()
        sawHeadByte = false
        let parsed = ParsedRequest(request: head.request, keepAlive: head.keepAlive, isHead: head.isHead)
        let available = bytes.count - end

        switch head.framing {
        case .none:
            return (end, .request(parsed))
        case .length(let length):
            if available >= length {
                // The common case: the whole body is already in the buffer.
                var request = parsed
                request.request.body = Array(UnsafeRawBufferPointer(rebasing: bytes[end..<end + length]))
                return (end + length, .request(request))
            }
            pending = parsed
            // A client may claim a large body and send nothing; grow the buffer with the data.
            body.reserveCapacity(min(length, 65_536))
            state = .fixedBody(remaining: length)
            if head.expectContinue && available == 0 { return (end, .expectContinue) }
            return readFixedBody(UnsafeRawBufferPointer(rebasing: bytes[end...]), remaining: length, consumedBefore: end)
        case .chunked:
            pending = parsed
            chunked = HTTP1ChunkedDecoder()
            state = .chunkedBody
            if head.expectContinue && available == 0 { return (end, .expectContinue) }
            return try readChunkedBody(UnsafeRawBufferPointer(rebasing: bytes[end...]), consumedBefore: end)
        }
    }

    private mutating func readFixedBody(_ bytes: UnsafeRawBufferPointer, remaining: Int,
                                        consumedBefore: Int) -> (consumed: Int, result: HTTP1ParseResult) {
        let n = min(remaining, bytes.count)
        body.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[0..<n]))
        if n == remaining { return (consumedBefore + n, .request(finishBody())) }
        state = .fixedBody(remaining: remaining - n)
        return (consumedBefore + n, .needMore)
    }

    private mutating func readChunkedBody(_ bytes: UnsafeRawBufferPointer,
                                          consumedBefore: Int) throws(HTTPParseError) -> (consumed: Int, result: HTTP1ParseResult) {
        let (used, done) = try chunked.decode(bytes, into: &body, limits: limits)
        if done { return (consumedBefore + used, .request(finishBody())) }
        return (consumedBefore + used, .needMore)
    }

    /// Hands the body to the pending request and gets ready for the next head.
    private mutating func finishBody() -> ParsedRequest {
        var request = pending!
        pending = nil
        request.request.body = body
        body = []
        state = .head
        return request
    }
}
