import ServerCore

extension DatabaseError.Kind {
    /// The `class` label `paddock_db_errors_total` counts this kind under.
    var metricsClass: DatabaseErrorClass {
        switch self {
        case .unavailable: return .unavailable
        case .uniqueViolation: return .uniqueViolation
        case .foreignKeyViolation: return .foreignKeyViolation
        case .other: return .other
        }
    }
}

/// Runs one database call, recording its duration and, when it throws, its
/// error class into the worker's counters (`DatabaseMetrics`; nothing is
/// recorded where no worker installed them). Inlined, with a non-escaping
/// closure: no allocation.
@inline(__always)
func measured<T>(_ body: () throws -> T) throws -> T {
    let started = DatabaseMetrics.callStarted()
    do {
        let result = try body()
        DatabaseMetrics.callEnded(started)
        return result
    } catch {
        DatabaseMetrics.callEnded(started, failed: (error as? DatabaseError)?.kind.metricsClass ?? .other)
        throw error
    }
}
