@testable import ServerCore
import Foundation
import XCTest

/// An application's own settings join the one table: parsed from every
/// source, listed by `--help`, `--print-config` and the docs, checked for
/// unknown keys, and never allowed to shadow a server setting.
final class ApplicationSettingsTests: XCTestCase {
    static let greeting = Setting<String>(
        key: "greeting", default: "Hello", flags: ["--greeting"],
        section: "Greeter", reload: .nextWorkers, summary: "What the greeter says.")
    static let repeats = Setting<Int>(
        key: "greeting_repeats", default: 1, min: 1, max: 5,
        section: "Greeter", reload: .nextWorkers, summary: "How many times it says it.")

    func table() throws -> [SettingSpec] {
        try Settings.table(applications: ["greeter"], settings: [Self.greeting.spec, Self.repeats.spec])
    }

    func testEverySourceSetsAnApplicationSetting() throws {
        let specs = try table()
        let dir = NSTemporaryDirectory() + "paddock-app-settings-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "greeting_repeats = 3\n".write(toFile: dir + "/server.conf", atomically: true, encoding: .utf8)
        let loaded = try ConfigLoader.load(arguments: ["--config", dir + "/server.conf", "--greeting", "Hi"],
                                           environment: [:], defaultConfigPath: "", specs: specs)
        XCTAssertEqual(loaded.configuration[Self.greeting], "Hi")
        XCTAssertEqual(loaded.configuration[Self.repeats], 3)
        let fromEnvironment = try ConfigLoader.load(arguments: [], environment: ["PADDOCK_GREETING": "Hey"],
                                                    defaultConfigPath: "", specs: specs)
        XCTAssertEqual(fromEnvironment.configuration[Self.greeting], "Hey")
        XCTAssertEqual(fromEnvironment.configuration[Self.repeats], 1)
        // `app` now chooses among this binary's applications.
        XCTAssertEqual(fromEnvironment.configuration[Settings.app], "greeter")
    }

    func testBoundsAndUnknownKeysAreChecked() throws {
        let specs = try table()
        XCTAssertThrowsError(try ConfigLoader.load(arguments: ["--greeting-repeats", "9"], environment: [:],
                                                   defaultConfigPath: "", specs: specs)) { error in
            XCTAssertTrue("\(error)".contains("greeting_repeats"), "\(error)")
        }
        XCTAssertThrowsError(try ConfigLoader.parse(text: "greting = \"x\"\n", path: "server.conf",
                                                    over: .defaults(specs: specs), specs: specs)) { error in
            XCTAssertTrue("\(error)".contains(#"did you mean "greeting"?"#), "\(error)")
        }
        // Without the application's table the key is unknown, as for any other binary.
        XCTAssertThrowsError(try ConfigLoader.parse(text: "greeting = \"x\"\n", path: "server.conf",
                                                    over: .defaults(specs: Settings.builtIn), specs: Settings.builtIn))
    }

    func testHelpPrintConfigAndDocsListThem() throws {
        let specs = try table()
        XCTAssertTrue(SettingsDocs.help(programName: "greeter", specs: specs).contains("--greeting TEXT"))
        XCTAssertTrue(SettingsDocs.markdown(specs: specs).contains("### greeting_repeats"))
        let printed = Configuration.defaults(specs: specs).printable(specs: specs)
        XCTAssertTrue(printed.contains("greeting = Hello\n"), printed)
    }

    func testAnApplicationCannotShadowAServerSetting() {
        let sameKey = Setting<Int>(key: "workers", default: 1, section: "X", reload: .live, summary: "x").spec
        let sameFlag = Setting<String>(key: "greeting", default: "", flags: ["-w"], section: "X",
                                       reload: .live, summary: "x").spec
        let sameAlias = Setting<String>(key: "greeting", default: "", section: "X", reload: .live,
                                        summary: "x", aliases: [EnvironmentAlias("DATABASE_URL", meaning: "x")]).spec
        for spec in [sameKey, sameFlag, sameAlias] {
            XCTAssertThrowsError(try Settings.table(applications: ["a"], settings: [spec]), spec.key)
        }
        XCTAssertThrowsError(try Settings.table(applications: [], settings: []))
        XCTAssertThrowsError(try Settings.table(applications: ["a", "a"], settings: []))
    }

    func testTheBuiltInBinaryKeepsItsTable() throws {
        let specs = try Settings.table(applications: ["users", "echo"], settings: [])
        XCTAssertEqual(specs.map(\.key), Settings.builtIn.map(\.key))
        XCTAssertEqual(specs.first { $0.key == "app" }?.type, .choice(["users", "echo"]))
    }
}
