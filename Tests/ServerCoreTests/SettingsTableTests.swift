import Foundation
import XCTest
@testable import ServerCore

/// The declarations themselves: everything the generated CLI, env and docs
/// rely on being present and unambiguous.
final class SettingsTableTests: XCTestCase {
    func testEverySettingHasSummaryAndSection() {
        XCTAssertFalse(Settings.all.isEmpty)
        for spec in Settings.all {
            XCTAssertFalse(spec.summary.trimmingCharacters(in: .whitespaces).isEmpty, "\(spec.key) has no summary")
            XCTAssertFalse(spec.section.isEmpty, "\(spec.key) has no section")
            XCTAssertFalse(spec.summary.contains("\n"), "\(spec.key): the summary must be one line")
        }
    }

    func testKeysAndEnvironmentVariablesAreUnique() {
        let keys = Settings.all.map(\.key)
        XCTAssertEqual(Set(keys).count, keys.count, "duplicate keys: \(keys)")
        let variables = Settings.all.map(\.environmentVariable)
        XCTAssertEqual(Set(variables).count, variables.count)
        // The worker contract's variables and PADDOCK_CONFIG must never be read as settings.
        let reserved: Set<String> = [ConfigLoader.configVariable, WorkerContract.slotVariable,
                                     WorkerContract.generationVariable, WorkerContract.listenerCountVariable]
        XCTAssertTrue(reserved.isDisjoint(with: variables))
    }

    func testKeysAreLowerCaseWithUnderscores() {
        for spec in Settings.all {
            XCTAssertTrue(spec.key.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" }, spec.key)
            // Files accept `-` for `_`, so a normalized key must be the key itself.
            XCTAssertEqual(ConfigFileParser.normalizedKey(spec.key), spec.key)
        }
    }

    func testFlagsAreUniqueAndWellFormed() {
        let flags = CommandLineFlags(specs: Settings.all)
        XCTAssertEqual(flags.clashes, [], "flags declared twice")
        for spec in Settings.all {
            for flag in spec.flags {
                XCTAssertTrue(flag.hasPrefix("--") ? flag.count > 3 : (flag.count == 2 && flag.hasPrefix("-")),
                              "\(spec.key): malformed flag \(flag)")
            }
            XCTAssertNotNil(flags.targets["--" + spec.key.replacingOccurrences(of: "_", with: "-")],
                            "\(spec.key) has no --key-with-dashes flag")
        }
    }

    func testDefaultsHaveTheDeclaredTypeAndAreWithinBounds() throws {
        for spec in Settings.all {
            // Writing the default and reading it back must give the default:
            // this catches a default of the wrong type and one out of bounds.
            let text = spec.defaultValue.settingText
            XCTAssertEqual(try SettingValueParser.parse(text, for: spec), spec.defaultValue, spec.key)
        }
    }

    func testTypedSubscriptReadsDefaults() {
        let configuration = Configuration.defaults()
        XCTAssertEqual(configuration[Settings.bind], ["127.0.0.1:8000"])
        XCTAssertEqual(configuration[Settings.reusePort], false)
        XCTAssertEqual(configuration[Settings.keepalive], .seconds(65))
        XCTAssertGreaterThanOrEqual(configuration[Settings.workers], 3)
        XCTAssertEqual(configuration.source(of: "workers"), .defaultValue)
    }
}
