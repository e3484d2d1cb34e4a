import XCTest
@testable import Worker

/// The PROXY protocol header, v1 and v2, as HAProxy and AWS NLB send it, and
/// what must be refused: the header decides whose address the log shows.
final class ProxyProtocolHeaderTests: XCTestCase {
    private func parse(_ text: String) -> ProxyProtocolHeader.Outcome { ProxyProtocolHeader.parse(Array(text.utf8)) }

    private func assertInvalid(_ bytes: [UInt8], _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        guard case .invalid(let reason) = ProxyProtocolHeader.parse(bytes) else {
            return XCTFail("accepted: \(ProxyProtocolHeader.parse(bytes))", file: file, line: line)
        }
        XCTAssertTrue(reason.contains(fragment), reason, file: file, line: line)
    }

    /// v2: signature, version 2 and `command`, family and transport, length, then the block.
    private func v2(command: UInt8 = 1, family: UInt8, block: [UInt8]) -> [UInt8] {
        ProxyProtocolHeader.v2Signature + [0x20 | command, family, UInt8(block.count >> 8), UInt8(block.count & 0xFF)] + block
    }

    func testVersion1() {
        let line = "PROXY TCP4 192.0.2.10 198.51.100.1 56324 443\r\n"
        XCTAssertEqual(parse(line + "GET / HTTP/1.1\r\n"), .header(length: line.utf8.count, client: "192.0.2.10"))
        let six = "PROXY TCP6 2001:db8::7 2001:db8::1 65535 8000\r\n"
        XCTAssertEqual(parse(six), .header(length: six.utf8.count, client: "2001:db8::7"))
        XCTAssertEqual(parse("PROXY UNKNOWN\r\n"), .header(length: 15, client: nil))
        XCTAssertEqual(parse("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n"), .header(length: 35, client: nil))
    }

    func testVersion1ArrivingInPiecesWaits() {
        let line = "PROXY TCP4 192.0.2.10 198.51.100.1 56324 443\r\n"
        for end in 1..<line.utf8.count {
            XCTAssertEqual(ProxyProtocolHeader.parse(Array(line.utf8.prefix(end))), .needMore, "\(end) bytes")
        }
    }

    func testVersion1Refusals() {
        assertInvalid(Array("GET / HTTP/1.1\r\n".utf8), "no PROXY protocol header")
        assertInvalid(Array("PROXZ TCP4".utf8), "no PROXY protocol header")
        assertInvalid(Array("PROXY TCP4 192.0.2.10 198.51.100.1 56324 443\n".utf8), "CRLF")
        assertInvalid(Array("PROXY UDP4 192.0.2.10 198.51.100.1 1 2\r\n".utf8), "UDP4")
        assertInvalid(Array("PROXY TCP4 192.0.2.10 198.51.100.1 56324\r\n".utf8), "two addresses")
        assertInvalid(Array("PROXY TCP4  192.0.2.10 198.51.100.1 1 2\r\n".utf8), "two addresses")
        assertInvalid(Array("PROXY TCP4 2001:db8::7 198.51.100.1 1 2\r\n".utf8), "not an IPv4")
        assertInvalid(Array("PROXY TCP6 192.0.2.10 2001:db8::1 1 2\r\n".utf8), "not an IPv6")
        assertInvalid(Array("PROXY TCP4 192.0.2.300 198.51.100.1 1 2\r\n".utf8), "192.0.2.300")
        assertInvalid(Array("PROXY TCP4 192.0.2.10 198.51.100.1 65536 2\r\n".utf8), "65536")
        assertInvalid(Array("PROXY TCP4 192.0.2.10 198.51.100.1 080 2\r\n".utf8), "080")
        assertInvalid(Array("PROXY TCP4 192.0.2.10 198.51.100.1 -1 2\r\n".utf8), "-1")
        assertInvalid(Array("PROXY TCP4 192.0.2.10\u{7F} 198.51.100.1 1 2\r\n".utf8), "printable")
        // No line end within the specification's 107 bytes: never waits for more.
        assertInvalid(Array(("PROXY UNKNOWN " + String(repeating: "a", count: 100)).utf8), "107")
    }

    func testVersion2() {
        let v4 = v2(family: 0x11, block: [192, 0, 2, 10, 198, 51, 100, 1, 0xDC, 0x04, 0x01, 0xBB])
        XCTAssertEqual(ProxyProtocolHeader.parse(v4 + Array("GET".utf8)), .header(length: 28, client: "192.0.2.10"))
        var v6block = [UInt8](repeating: 0, count: 36)
        v6block[0] = 0x20; v6block[1] = 0x01; v6block[2] = 0x0d; v6block[3] = 0xb8; v6block[15] = 7
        XCTAssertEqual(ProxyProtocolHeader.parse(v2(family: 0x21, block: v6block)), .header(length: 52, client: "2001:db8::7"))
        // TLVs after the addresses (here a PP2_TYPE_UNIQUE_ID) are skipped with the block.
        let withTLV = v2(family: 0x11, block: [127, 0, 0, 1, 127, 0, 0, 1, 0, 1, 0, 2] + [0x05, 0x00, 0x03, 0x61, 0x62, 0x63])
        XCTAssertEqual(ProxyProtocolHeader.parse(withTLV), .header(length: 34, client: "127.0.0.1"))
        // LOCAL: the proxy's own health check; UNSPEC and UNIX carry no address to use.
        XCTAssertEqual(ProxyProtocolHeader.parse(v2(command: 0, family: 0x00, block: [])), .header(length: 16, client: nil))
        XCTAssertEqual(ProxyProtocolHeader.parse(v2(command: 0, family: 0x11, block: [1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 0, 2])),
                       .header(length: 28, client: nil))
        XCTAssertEqual(ProxyProtocolHeader.parse(v2(family: 0x31, block: [UInt8](repeating: 0x2F, count: 216))),
                       .header(length: 232, client: nil))
    }

    func testVersion2ArrivingInPiecesWaits() {
        let header = v2(family: 0x11, block: [192, 0, 2, 10, 198, 51, 100, 1, 0xDC, 0x04, 0x01, 0xBB])
        for end in 1..<header.count {
            XCTAssertEqual(ProxyProtocolHeader.parse(Array(header.prefix(end))), .needMore, "\(end) bytes")
        }
    }

    func testVersion2Refusals() {
        var badSignature = ProxyProtocolHeader.v2Signature
        badSignature[6] = 0
        assertInvalid(badSignature + [0x21, 0x11, 0, 0], "no PROXY protocol header")
        assertInvalid(ProxyProtocolHeader.v2Signature + [0x11, 0x11, 0, 12] + [UInt8](repeating: 0, count: 12), "version 1 is not 2")
        assertInvalid(ProxyProtocolHeader.v2Signature + [0x22, 0x11, 0, 12] + [UInt8](repeating: 0, count: 12), "command 2")
        assertInvalid(v2(family: 0x11, block: [1, 2, 3, 4]), "IPv4 address block of 4 bytes")
        assertInvalid(v2(family: 0x21, block: [UInt8](repeating: 0, count: 12)), "IPv6 address block of 12 bytes")
        assertInvalid(v2(family: 0x41, block: [UInt8](repeating: 0, count: 12)), "family 4")
        assertInvalid(v2(family: 0x13, block: [UInt8](repeating: 0, count: 12)), "transport 3")
        // A length beyond what is accepted is refused before waiting for it.
        assertInvalid(ProxyProtocolHeader.v2Signature + [0x21, 0x11, 0xFF, 0xFF], "65535")
    }

    func testIPv6TextIsCanonical() {
        func text(_ groups: [UInt16]) -> String {
            let bytes = groups.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
            return bytes.withUnsafeBytes { ProxyProtocolHeader.ipv6Text($0, at: 0) }
        }
        XCTAssertEqual(text([0, 0, 0, 0, 0, 0, 0, 1]), "::1")
        XCTAssertEqual(text([0, 0, 0, 0, 0, 0, 0, 0]), "::")
        XCTAssertEqual(text([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]), "2001:db8::1:0:0:1")
        XCTAssertEqual(text([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1]), "2001:db8:0:1:1:1:1:1")
        XCTAssertEqual(text([0, 0, 0, 0, 0, 0xFFFF, 0xC000, 0x020A]), "::ffff:192.0.2.10")
        XCTAssertEqual(text([0xfe80, 0, 0, 0, 0xABCD, 0, 0, 0]), "fe80::abcd:0:0:0")
    }
}
