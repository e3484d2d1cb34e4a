/// A value in a `gunicorn.conf.py`: what the supported expressions produce.
enum PythonValue: Equatable {
    case int(Int)
    case float(Double)
    case string(String)
    case bool(Bool)
    case none
    case list([PythonValue])

    /// As Python's `repr`, for messages.
    var description: String {
        switch self {
        case .int(let n): return String(n)
        case .float(let d): return String(d)
        case .string(let s): return String(reflecting: s)
        case .bool(let b): return b ? "True" : "False"
        case .none: return "None"
        case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        }
    }
}
