import Foundation
import ServerCore

/// The vectors made by the Python stack, read with our own JSON parser.
enum CompatVectors {
    static let root: JSONValue = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/compat-vectors.json")
        do {
            return try JSONValue.parse(Array(try Data(contentsOf: url)))
        } catch {
            fatalError("cannot load \(url.path): \(error)")
        }
    }()

    struct Password { let password: String; let hash: String; let valid: Bool }

    static var passwords: [Password] {
        guard case .array(let items)? = root["passwords"] else { fatalError("no passwords in vectors") }
        return items.map { item in
            guard let password = item["password"]?.stringValue, let hash = item["hash"]?.stringValue,
                  case .bool(let valid)? = item["valid"] else { fatalError("bad password vector \(item)") }
            return Password(password: password, hash: hash, valid: valid)
        }
    }

    static func jwt(_ key: String) -> String {
        guard let value = root["jwt"]?[key]?.stringValue else { fatalError("no jwt.\(key) in vectors") }
        return value
    }
}
