import Foundation
import Synchronization
import XCTest
@testable import ServerCore

/// Several writers append while another thread rotates and reopens them:
/// afterwards the files together hold every line exactly once, each whole.
final class LogRotationConcurrencyTests: XCTestCase {
    private final class Progress: Sendable {
        let writersDone = Atomic<Int>(0)
        let rotations = Atomic<Int>(0)
    }

    func testConcurrentAppendersLoseAndDuplicateNothing() throws {
        let directory = try temporaryDirectory()
        let path = directory.appendingPathComponent("access.log").path
        let writers = 4, linesPerWriter = 5_000
        // Padding makes lines long enough that a split write would show.
        let format = try AccessLogFormat(parsing: "%(request_id)s " + String(repeating: "=", count: 80) + " end")
        let logs = try (0..<writers).map { _ in try AccessLog(path: path, style: .format(format), proxyTrust: ProxyTrust(allowed: [])) }
        let progress = Progress()
        let finished = DispatchGroup()

        for (w, log) in logs.enumerated() {
            finished.enter()
            Thread {
                let request = HTTPRequest(method: "GET", target: "/")
                let response = HTTPResponse(status: 200)
                for i in 0..<linesPerWriter {
                    log.log(request: request, response: response, requestID: "w\(w)-\(i)", durationNanoseconds: 0, bytesSent: 0)
                }
                progress.writersDone.add(1, ordering: .sequentiallyConsistent)
                finished.leave()
            }.start()
        }

        let rotationErrors = Mutex<[String]>([])
        finished.enter()
        Thread {
            // Plays the master: rotate when over a tiny size, then have everyone reopen.
            while progress.writersDone.load(ordering: .sequentiallyConsistent) < writers {
                do {
                    // 2 MB in all over 8 KiB files stays far below 1000 backups, so none is deleted.
                    if try LogRotation.rotateIfNeeded(path: path, maxBytes: 8_192, backups: 1000) {
                        progress.rotations.add(1, ordering: .sequentiallyConsistent)
                        for log in logs { try log.reopen() }
                    }
                } catch {
                    rotationErrors.withLock { $0.append("\(error)") }
                    break
                }
            }
            finished.leave()
        }.start()

        XCTAssertEqual(finished.wait(timeout: .now() + 120), .success, "writers or rotator hung")
        XCTAssertEqual(rotationErrors.withLock { $0 }, [])
        XCTAssertGreaterThan(progress.rotations.load(ordering: .sequentiallyConsistent), 3, "the test must actually rotate")
        XCTAssertEqual(logs.map(\.failedWrites), Array(repeating: 0, count: writers))

        var seen: [String: Int] = [:]
        var files = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasPrefix("access.log") {
            files += 1
            let text = try String(contentsOfFile: directory.appendingPathComponent(name).path, encoding: .utf8)
            XCTAssertTrue(text.isEmpty || text.hasSuffix("\n"), "\(name) ends mid-line")
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: " ")
                XCTAssertTrue(parts.count == 3 && parts[1].count == 80 && parts[2] == "end", "broken line in \(name): \(line)")
                seen[String(parts[0]), default: 0] += 1
            }
        }
        XCTAssertEqual(files, progress.rotations.load(ordering: .sequentiallyConsistent) + 1, "the live file plus one per rotation")
        XCTAssertEqual(seen.count, writers * linesPerWriter, "lines lost")
        XCTAssertEqual(seen.values.filter { $0 != 1 }.count, 0, "lines duplicated")
        for w in 0..<writers { for i in 0..<linesPerWriter { XCTAssertEqual(seen["w\(w)-\(i)"], 1) } }
    }
}
