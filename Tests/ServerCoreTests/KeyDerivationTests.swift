import ServerCore
import XCTest

/// `Digest.scrypt` and `Digest.pbkdf2SHA256` against RFC 7914's vectors.
final class KeyDerivationTests: XCTestCase {
    func testScryptVector() {
        let key = Digest.scrypt(password: Array("password".utf8), salt: Array("NaCl".utf8), n: 1024, r: 8, p: 16,
                                maxMemory: 64 << 20, length: 64)
        XCTAssertEqual(key.map(Digest.hex),
                       "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640")
    }

    func testScryptRefusesTooLittleMemory() {
        XCTAssertNil(Digest.scrypt(password: [], salt: [], n: 1024, r: 8, p: 1, maxMemory: 1024, length: 64))
    }

    func testPBKDF2Vector() {
        let key = Digest.pbkdf2SHA256(password: Array("passwd".utf8), salt: Array("salt".utf8), iterations: 1, length: 64)
        XCTAssertEqual(key.map(Digest.hex),
                       "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783")
    }
}
