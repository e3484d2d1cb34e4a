import XCTest
@testable import ServerCore

final class AddressSettingTests: XCTestCase {
    func testBadBindAddressNamesKeyValueAndLine() {
        XCTAssertThrowsError(try ConfigLoader.parse(text: "workers = 2\nbind = 127.0.0.1:80, nonsense\n", path: "server.conf")) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("server.conf:2"), message)
            XCTAssertTrue(message.contains("bind"), message)
            XCTAssertTrue(message.contains("nonsense"), message)
        }
    }

    func testBadAdminAddressOnCommandLine() {
        XCTAssertThrowsError(try ConfigLoader.load(arguments: ["--admin-bind", "10.0.0.1"], environment: [:], defaultConfigPath: "/nonexistent")) { error in
            XCTAssertTrue("\(error)".contains("--admin-bind"), "\(error)")
        }
    }

    func testValidAddressesAccepted() throws {
        let c = try ConfigLoader.parse(text: "bind = 127.0.0.1:8000, [::1]:8000, unix:/run/paddock.sock, 9000\nadmin_bind = localhost:9100\n", path: "server.conf")
        XCTAssertEqual(c[Settings.bind].count, 4)
        XCTAssertEqual(c[Settings.adminBind], ["localhost:9100"])
    }
}
