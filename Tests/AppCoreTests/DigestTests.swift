import XCTest
import ServerCore

final class DigestTests: XCTestCase {
    private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    // FIPS 180-2 / NIST CSRC examples.
    func testSHA256KnownAnswers() {
        XCTAssertEqual(Digest.hex(Digest.sha256([])),
                       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(Digest.hex(Digest.sha256(bytes("abc"))),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(Digest.hex(Digest.sha256(bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        XCTAssertEqual(Digest.hex(Digest.sha256(million)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testSHA256RawBufferOverloadMatchesArray() {
        let data = bytes("abc")
        XCTAssertEqual(data.withUnsafeBytes { Digest.sha256($0) }, Digest.sha256(data))
        XCTAssertEqual(Digest.sha256(UnsafeRawBufferPointer(start: nil, count: 0)), Digest.sha256([]))
    }

    // RFC 4231 test cases 1, 2, 4 and 6, plus the empty key and message.
    func testHMACSHA256KnownAnswers() {
        XCTAssertEqual(Digest.hex(Digest.hmacSHA256(key: [UInt8](repeating: 0x0b, count: 20), data: bytes("Hi There"))),
                       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        XCTAssertEqual(Digest.hex(Digest.hmacSHA256(key: bytes("Jefe"), data: bytes("what do ya want for nothing?"))),
                       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        XCTAssertEqual(Digest.hex(Digest.hmacSHA256(key: Array(1...25), data: [UInt8](repeating: 0xcd, count: 50))),
                       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b")
        XCTAssertEqual(Digest.hex(Digest.hmacSHA256(key: [UInt8](repeating: 0xaa, count: 131),
                                                    data: bytes("Test Using Larger Than Block-Size Key - Hash Key First"))),
                       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        XCTAssertEqual(Digest.hex(Digest.hmacSHA256(key: [], data: [])),
                       "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    func testRandomBytesHaveRequestedLengthAndDiffer() {
        XCTAssertEqual(Digest.randomBytes(0), [])
        let a = Digest.randomBytes(32), b = Digest.randomBytes(32)
        XCTAssertEqual(a.count, 32)
        XCTAssertNotEqual(a, b)
    }

    func testConstantTimeEquals() {
        XCTAssertTrue(Digest.constantTimeEquals([], []))
        XCTAssertTrue(Digest.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        XCTAssertFalse(Digest.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        XCTAssertFalse(Digest.constantTimeEquals([9, 2, 3], [1, 2, 3]))
        XCTAssertFalse(Digest.constantTimeEquals([1, 2, 3], [1, 2]))
        XCTAssertFalse(Digest.constantTimeEquals([], [0]))
    }

    func testHexIsLowercase() {
        XCTAssertEqual(Digest.hex([]), "")
        XCTAssertEqual(Digest.hex([0x00, 0x0f, 0xab, 0xff]), "000fabff")
    }

    // RFC 4648 §10, in the URL-safe alphabet without padding.
    func testBase64URLKnownAnswers() {
        let cases = ["": "", "f": "Zg", "fo": "Zm8", "foo": "Zm9v", "foob": "Zm9vYg",
                     "fooba": "Zm9vYmE", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in cases {
            XCTAssertEqual(Digest.base64URLEncode(bytes(plain)), encoded)
            XCTAssertEqual(Digest.base64URLDecode(Substring(encoded)), bytes(plain))
        }
        XCTAssertEqual(Digest.base64URLEncode([0xfb, 0xff, 0xbf]), "-_-_")
        XCTAssertEqual(Digest.base64URLDecode("-_-_"), [0xfb, 0xff, 0xbf])
    }

    func testBase64URLRoundTripsEveryLength() {
        for length in 0...70 {
            let data = Digest.randomBytes(length)
            let text = Digest.base64URLEncode(data)
            XCTAssertFalse(text.contains("="))
            XCTAssertEqual(Digest.base64URLDecode(Substring(text)), data, "length \(length)")
        }
    }

    func testBase64URLRejectsNonCanonicalText() {
        for bad in ["Zg==", "Zm8=", "Zm+v", "Zm/v", "Z", "Zm9vY", "Zh", "Zm9", "Zm9v!", " Zg", "Zg\n", "Zm9v\u{e9}"] {
            XCTAssertNil(Digest.base64URLDecode(Substring(bad)), bad)
        }
    }
}
