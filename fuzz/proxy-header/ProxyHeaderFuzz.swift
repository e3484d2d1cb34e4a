// libFuzzer target: the PROXY protocol header (Sources/Worker/ProxyProtocolHeader.swift).
// Built and run by scripts/fuzz.
import ServerCore
@testable import Worker

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProxyHeader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    let whole = ProxyProtocolHeader.parse(input)
    switch whole {
    case .header(let length, let client):
        invariant(length >= 15 && length <= input.count, "header of \(length) bytes in \(input.count)")
        invariant(length <= ProxyProtocolHeader.maxV1Length || input[0] == 0x0D, "a v1 line of \(length) bytes")
        if let client { invariant(IPAddress(client) != nil, "client \(client) is not an address") }
        // The header alone gives the same verdict, and every shorter prefix waits for more.
        invariant(ProxyProtocolHeader.parse(Array(input[..<length])) == whole, "the header alone: \(ProxyProtocolHeader.parse(Array(input[..<length])))")
        for end in stride(from: 1, to: length, by: max(1, length / 16)) {
            invariant(ProxyProtocolHeader.parse(Array(input[..<end])) == .needMore, "\(end) of \(length) bytes did not wait")
        }
    case .needMore:
        invariant(input.count < ProxyProtocolHeader.v2FixedLength + ProxyProtocolHeader.maxV2AddressLength, "waits after \(input.count) bytes")
        if input.count > 0 {
            invariant(ProxyProtocolHeader.parse(Array(input.dropLast())) == .needMore, "a shorter prefix decided")
        }
    case .invalid(let reason):
        invariant(!reason.isEmpty, "no reason")
        // Bytes appended never make an invalid start valid.
        invariant(ProxyProtocolHeader.parse(input + Array("\r\n".utf8)) != .needMore, "invalid, then waiting")
    }
    return 0
}
