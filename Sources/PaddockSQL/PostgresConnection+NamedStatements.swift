import CLibPQ
import ServerCore

/// The `auto` statement mode, outside explicit transactions.
///
/// A statement's server-side name is `p_` and the first 8 bytes of the
/// SHA-256 of its text, so the name means the same text in every process and
/// build: a server connection that has it (prepared by any worker whose
/// transaction ran there, behind a pooler) has this very statement. The
/// transaction-local timeout is a named statement too. One round trip per
/// statement: Bind/Execute of the timeout and the statement, one Sync; the
/// names not yet believed prepared are parsed first in the same batch.
///
/// Behind PgBouncer's transaction pooling each batch may run on a different
/// server connection, so a name can be missing (26000: parse it next time)
/// or already there (42P05: execute it next time). Retrying is safe: a batch
/// outside `BEGIN` is one implicit transaction, and these errors come before
/// anything executed (Bind of a missing statement, Parse of an existing one),
/// so the failed batch changed nothing. After `namedAttempts` the statement
/// runs unnamed, which works on any server connection.
extension PostgresConnection {
    /// Batches tried by name before running unnamed.
    static let namedAttempts = 4

    /// The server-side name of a statement with this text.
    static func serverName(for sql: String) -> String {
        "p_" + Digest.hex(Array(Digest.sha256(Array(sql.utf8)).prefix(8)))
    }

    static let localTimeoutSQL = timeoutSQL(local: true)
    static let localTimeoutName = serverName(for: localTimeoutSQL)

    private func cachedServerName(for sql: String) -> String {
        if let name = serverNames[sql] { return name }
        let name = Self.serverName(for: sql)
        serverNames[sql] = name
        return name
    }

    func runNamed(_ c: OpaquePointer, _ statement: SQLStatement, _ parameters: [DatabaseValue],
                  collect: Bool) throws -> (rows: [DatabaseRow], changed: Int) {
        var named: [(name: String, sql: String, parameters: [DatabaseValue])] = []
        if statementTimeoutMilliseconds > 0 {
            named.append((Self.localTimeoutName, Self.localTimeoutSQL, timeoutParameters))
        }
        named.append((cachedServerName(for: statement.sql), statement.sql, parameters))
        attempts: for _ in 0..<Self.namedAttempts {
            let missing = named.filter { !prepared.contains($0.name) }
            let steps = missing.map { PipelineStep.prepare(name: $0.name, sql: $0.sql) }
                + named.map { PipelineStep.execute(name: $0.name, parameters: $0.parameters) }
            switch batch(c, steps) {
            case .succeeded(let results):
                defer { for r in results { PQclear(r) } }
                prepared.formUnion(missing.map(\.name))
                if missing.isEmpty { counters.executedPrepared += 1 } else { counters.preparedThenExecuted += 1 }
                return try collected(results.last, call: "PQexecPrepared", context: statement.name, collect: collect)
            case .failed(let failed):
                guard let corrected = correctedGuess(failed, names: named.map(\.name)), PQstatus(c) == CONNECTION_OK else {
                    throw abandon(c, failed, context: statement.name)
                }
                // A Parse is not undone when its batch fails later: those are there too.
                for case .prepare(let name, _) in steps.prefix(failed.completed) { prepared.insert(name) }
                PQclear(failed.result)
                leavePipeline(c)
                guard conn == c else { throw DatabaseError(.unavailable, call: failed.call, message: "\(statement.name): connection lost") }
                counters.retries += 1
                if !corrected { break attempts }
            }
        }
        counters.unnamedFallbacks += 1
        return try runUnnamed(c, statement, parameters, collect: collect)
    }

    /// After a failed batch: nil when the error is the statement's own
    /// (report it); else whether the guess of what the server connection
    /// has was corrected (retry by name) or not (run unnamed).
    private func correctedGuess(_ failed: PipelineFailure, names: [String]) -> Bool? {
        guard let result = failed.result,
              let code = PQresultErrorField(result, Int32(UInt8(ascii: "C"))) else { return nil }
        let sqlstate = String(cString: code)
        let message = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) } ?? ""
        // `prepared statement "p_..." does not exist` / `already exists`.
        let quoted = message.split(separator: "\"", omittingEmptySubsequences: false)
        let mentioned = quoted.count >= 3 ? String(quoted[1]) : nil
        let named = names.filter { $0 == mentioned }
        switch sqlstate {
        case "26000":
            // Not on this server connection: a reset one, or one this client
            // has not met; either way likely none of them is there.
            prepared.subtract(names)
            return true
        case "42P05":
            // There already (the same text, by its name): just execute it.
            prepared.formUnion(named)
            return !named.isEmpty
        case "0A000":
            // "cached plan must not change result type": the table changed
            // under a statement another connection prepared; unnamed is replanned.
            return false
        default:
            return nil
        }
    }
}
