// libFuzzer target: the JSON parser (Sources/ServerCore/JSON) that reads every request
// body and every token's claims. Built and run by scripts/fuzz.
@testable import ServerCore

/// Writes `value` back as JSON text with the project's writer, keys sorted so equal
/// values give equal text.
func write(_ value: JSONValue) -> [UInt8] {
    var writer = JSONWriter()
    emit(value, into: &writer)
    return writer.bytes
}

private func emit(_ value: JSONValue, into writer: inout JSONWriter) {
    switch value {
    case .null: writer.null()
    case .bool(let b): writer.value(b)
    case .number(let d): writer.value(d)
    case .string(let s): writer.value(s)
    case .array(let elements):
        writer.beginArray()
        for element in elements { emit(element, into: &writer) }
        writer.endArray()
    case .object(let members):
        writer.beginObject()
        for key in members.keys.sorted() {
            writer.key(key)
            emit(members[key]!, into: &writer)
        }
        writer.endObject()
    }
}

/// Nesting depth of a parsed value (a scalar is 0).
func depth(_ value: JSONValue) -> Int {
    switch value {
    case .array(let elements): return 1 + (elements.map(depth).max() ?? 0)
    case .object(let members): return 1 + (members.values.map(depth).max() ?? 0)
    default: return 0
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    let value: JSONValue
    do {
        value = try JSONValue.parse(input)
    } catch {
        // The offset points into the input (or just past it, for a truncated text).
        invariant(error.offset >= 0 && error.offset <= input.count,
                  "error offset \(error.offset) outside 0...\(input.count): \(error.message)")
        return 0
    }
    invariant(depth(value) <= JSONParser.maxDepth, "depth \(depth(value)) above the limit")
    // What the parser accepts, the writer writes back as text that parses to the same value,
    // and that text is stable: writing the re-parsed value gives the same bytes.
    let text = write(value)
    let again: JSONValue
    do {
        again = try JSONValue.parse(text)
    } catch {
        invariant(false, "written text does not parse (\(error.message) at \(error.offset)): "
                  + String(decoding: text, as: UTF8.self))
        return 0
    }
    invariant(again == value, "round trip changed the value: " + String(decoding: text, as: UTF8.self))
    invariant(write(again) == text, "writing is not stable: " + String(decoding: text, as: UTF8.self))
    return 0
}
