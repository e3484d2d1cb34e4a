/// One message group of a pipelined batch (`PostgresConnection.batch`).
enum PipelineStep {
    /// Parse, Bind and Execute of an unnamed statement (`PQsendQueryParams`).
    case unnamed(sql: String, parameters: [DatabaseValue])
    /// Parse of a named statement (`PQsendPrepare`).
    case prepare(name: String, sql: String)
    /// Bind and Execute of a named statement (`PQsendQueryPrepared`).
    case execute(name: String, parameters: [DatabaseValue])

    /// The call an error is reported under once the step ran.
    var call: String {
        switch self {
        case .unnamed: return "PQexecParams"
        case .prepare: return "PQprepare"
        case .execute: return "PQexecPrepared"
        }
    }

    /// The libpq call that queues the step.
    var sendCall: String {
        switch self {
        case .unnamed: return "PQsendQueryParams"
        case .prepare: return "PQsendPrepare"
        case .execute: return "PQsendQueryPrepared"
        }
    }
}

/// The first failure of a batch: the call, its result (owned: clear it) if
/// there was one, and how many steps before it succeeded.
struct PipelineFailure {
    let call: String
    let result: OpaquePointer?
    var completed = 0
}

/// How a batch ended: every step's result (owned by the caller), or its first failure.
enum PipelineOutcome {
    case succeeded([OpaquePointer])
    case failed(PipelineFailure)
}
