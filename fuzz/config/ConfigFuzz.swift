// libFuzzer target: the config-file parser and the value parsers behind it
// (Sources/ServerCore/Settings), as `--config`, `--check-config` and HUP reload use them.
// Built and run by scripts/fuzz.
@testable import ServerCore

let path = "fuzz.conf"

/// The line number in a `fuzz.conf:N: ...` message, or nil when it has no such prefix.
func lineNumber(in message: String) -> Int? {
    guard message.hasPrefix(path + ":") else { return nil }
    return Int(message.dropFirst(path.count + 1).prefix { $0.isASCII && $0.isNumber })
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: bytes(data, size), as: UTF8.self)
    // Lines as the parser counts them: any line break ends one.
    let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).count
    let configuration: Configuration
    do {
        configuration = try ConfigLoader.parse(text: text, path: path)
    } catch {
        // Every error names the file and a line that exists, so the operator can find it.
        let line = lineNumber(in: error.message)
        invariant(line.map { (1...lines).contains($0) } ?? false,
                  "error does not name a line of the \(lines): \(String(reflecting: error.message))")
        return 0
    }
    for spec in Settings.all {
        if case .file(let file, let line) = configuration.source(of: spec.key) {
            invariant(file == path && (1...lines).contains(line), "\(spec.key) from \(file):\(line) of \(lines) lines")
        }
    }
    // The master hands workers `serialized()`; parsed back it must be the configuration
    // the master validated (Configuration+Serialization.swift promises it).
    let serialized = configuration.serialized()
    let again: Configuration
    do {
        again = try ConfigLoader.parse(text: serialized, path: "serialized.conf")
    } catch {
        invariant(false, "serialized configuration does not parse: \(error.message)\n\(serialized)")
        return 0
    }
    for spec in Settings.all where again.values[spec.key] != configuration.values[spec.key] {
        invariant(false, "\(spec.key): \(String(describing: configuration.values[spec.key])) came back as "
                  + String(describing: again.values[spec.key]))
    }
    invariant(again == configuration, "round trip changed the configuration")
    invariant(again.serialized() == serialized, "serializing is not stable")
    return 0
}
