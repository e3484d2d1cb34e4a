import Foundation
import Glibc
import Posix
import ServerCore
import TestSupport
import XCTest

/// Files, privileges and secrets through the real binaries: the master, as
/// root with `user = nobody`, never follows what the service user may plant
/// in its own directories; new files are not world-readable; the JWT key can
/// come from a file (systemd credentials) instead of the command line.
final class FileSafetyTests: XCTestCase {
    var server: ServerProcess?
    var directories: [String] = []

    override func tearDown() {
        server?.stopGracefully()
        server = nil
        for d in directories { ServerProcess.removeTemporaryDirectory(d) }
        directories = []
        super.tearDown()
    }

    // MARK: Helpers

    func requireRoot() throws -> Privileges.Identity {
        guard Privileges.effectiveUserID == 0 else {
            throw XCTSkip("needs root: the master must run as root with user = nobody for the ownership hand-over to happen")
        }
        return try Privileges.user("nobody")
    }

    /// A fresh directory, removed at tear-down; given to `owner` when set
    /// (the service user's own directory, as `StateDirectory=` makes it).
    func makeDirectory(owner: Privileges.Identity? = nil) throws -> String {
        let dir = try ServerProcess.makeTemporaryDirectory()
        directories.append(dir)
        if let owner { XCTAssertEqual(chown(dir, owner.uid, owner.gid), 0) }
        return dir
    }

    /// A file of root's, mode 0600, in a directory only root can enter: what
    /// a planted link points at. Its owner and contents must never change.
    func makeVictim(in dir: String) throws -> String {
        let secrets = dir + "/root-only"
        XCTAssertEqual(mkdir(secrets, 0o700), 0)
        let path = secrets + "/victim"
        try "root's file\n".write(toFile: path, atomically: false, encoding: .utf8)
        XCTAssertEqual(chmod(path, 0o600), 0)
        return path
    }

    /// A symbolic link at `path`, owned (like anything they plant) by `owner`.
    func plantLink(to target: String, at path: String, owner: Privileges.Identity) {
        XCTAssertEqual(symlink(target, path), 0, path)
        XCTAssertEqual(lchown(path, owner.uid, owner.gid), 0)
    }

    func assertUntouched(_ victim: String, file: StaticString = #filePath, line: UInt = #line) {
        var st = stat()
        XCTAssertEqual(lstat(victim, &st), 0, file: file, line: line)
        XCTAssertEqual(st.st_uid, 0, "the victim's owner changed", file: file, line: line)
        XCTAssertEqual(st.st_mode & 0o777, 0o600, file: file, line: line)
        XCTAssertEqual(try? String(contentsOfFile: victim, encoding: .utf8), "root's file\n", "the victim was written to",
                       file: file, line: line)
    }

    func status(_ path: String) throws -> stat {
        var st = stat()
        guard lstat(path, &st) == 0 else { throw ServerError(message: "lstat \(path): \(Errno.current)") }
        return st
    }

    func json(_ value: [String: Any]) -> [UInt8] { Array(try! JSONSerialization.data(withJSONObject: value)) }

    func register(_ port: UInt16, email: String) throws {
        let r = try HTTPTestClient(port: port).request("POST", "/auth/register", headers: [("Content-Type", "application/json")],
                                                       body: json(["email": email, "name": "Test User", "password": "password123"]))
        XCTAssertEqual(r.status, 201, r.bodyText)
    }

    func login(_ port: UInt16, email: String) throws -> String {
        let r = try HTTPTestClient(port: port).request("POST", "/auth/login", headers: [("Content-Type", "application/json")],
                                                       body: json(["email": email, "password": "password123"]))
        XCTAssertEqual(r.status, 200, r.bodyText)
        return try XCTUnwrap(r.json?["access_token"] as? String)
    }

    func me(_ port: UInt16, token: String) throws -> Int {
        try HTTPTestClient(port: port).request("GET", "/auth/me", headers: [("Authorization", "Bearer \(token)")]).status
    }

    /// True when `token`'s HS256 signature was made with `secret`.
    func isSigned(_ token: String, with secret: String) -> Bool {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return false }
        let mac = Digest.hmacSHA256(key: Array(secret.utf8), data: Array("\(parts[0]).\(parts[1])".utf8))
        return Digest.base64URLEncode(mac) == String(parts[2])
    }

    /// Warning-or-worse lines of a log file not matching `allowed`.
    func unexpectedLines(in path: String, allowing allowed: [String]) -> [String] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init).filter { line in
            (line.contains(" warning ") || line.contains(" error ") || line.contains(" critical ")) && !allowed.contains { line.contains($0) }
        }
    }

    // MARK: 9. No symbolic link followed as root

    /// At start a symbolic link at the error log's path is refused: the
    /// master exits with an error naming the path instead of chowning (and
    /// appending to) whatever the link points at.
    func testSymlinkAtTheErrorLogPathRefusesToStart() throws {
        let nobody = try requireRoot()
        let dir = try makeDirectory()
        let logs = dir + "/logs"
        XCTAssertEqual(mkdir(logs, 0o755), 0)
        XCTAssertEqual(chown(logs, nobody.uid, nobody.gid), 0)
        let victim = try makeVictim(in: dir)
        plantLink(to: victim, at: logs + "/error.log", owner: nobody)
        let r = try ServerProcess.run(["--app", "echo", "--workers", "1", "--user", "nobody", "--bind", "127.0.0.1:0",
                                       "--error-logfile", logs + "/error.log"], directory: dir, timeout: 30)
        XCTAssertEqual(r.status, .exited(1), r.stderr)
        XCTAssertTrue(r.stderr.contains("refusing \(logs)/error.log") && r.stderr.contains("symbolic link"), r.stderr)
        assertUntouched(victim)
    }

    /// After start the service user replaces both logs with links to root's
    /// files, then USR1: the master and the workers refuse to reopen, say so
    /// in the log they still have open, and keep serving.
    func testLogsReplacedBySymlinksAreNotFollowedOnUSR1() throws {
        let nobody = try requireRoot()
        let dir = try makeDirectory(owner: nobody)
        let access = dir + "/access.log"
        let s = try ServerProcess(arguments: ["--app", "echo", "--workers", "1", "--user", "nobody", "--access-logfile", access],
                                  directory: dir)
        server = s
        try s.waitReady()
        XCTAssertEqual(try HTTPTestClient(port: s.port).request("GET", "/health").status, 200)
        let errorVictim = try makeVictim(in: dir)
        let accessVictim = dir + "/root-only/access-victim"
        try "root's file\n".write(toFile: accessVictim, atomically: false, encoding: .utf8)
        XCTAssertEqual(chmod(accessVictim, 0o600), 0)
        let kept = s.errorLogPath + ".old"
        XCTAssertEqual(rename(s.errorLogPath, kept), 0)
        plantLink(to: errorVictim, at: s.errorLogPath, owner: nobody)
        XCTAssertEqual(rename(access, access + ".old"), 0)
        plantLink(to: accessVictim, at: access, owner: nobody)

        try s.signal(SIGUSR1)
        // Every process writes to the file it has open, now `error.log.old`.
        let deadline = Date().addingTimeInterval(20)
        var log = ""
        while Date() < deadline {
            log = (try? String(contentsOfFile: kept, encoding: .utf8)) ?? ""
            if log.contains("slot=- reopening the error log: refusing") && log.contains("slot=0 reopening the access log: refusing") { break }
            Clock.sleep(milliseconds: 20)
        }
        XCTAssertTrue(log.contains("slot=- preparing \(s.errorLogPath): refusing \(s.errorLogPath): it is a symbolic link"), log)
        XCTAssertTrue(log.contains("slot=- preparing \(access): refusing"), log)
        XCTAssertTrue(log.contains("slot=- reopening the error log: refusing"), log)
        XCTAssertTrue(log.contains("slot=0 reopening the error log: refusing"), log)
        XCTAssertTrue(log.contains("slot=0 reopening the access log: refusing"), log)
        assertUntouched(errorVictim)
        XCTAssertEqual(try? String(contentsOfFile: accessVictim, encoding: .utf8), "root's file\n")
        XCTAssertEqual(try status(accessVictim).st_uid, 0)

        XCTAssertNil(try s.reapIfExited(), "a refused reopen must not stop the server")
        XCTAssertEqual(try HTTPTestClient(port: s.port).request("GET", "/health").status, 200)
        XCTAssertTrue(((try? String(contentsOfFile: access + ".old", encoding: .utf8)) ?? "").contains("GET /health"),
                      "the access log keeps going to the file it had")
        s.stopGracefully()
        XCTAssertEqual(unexpectedLines(in: kept, allowing: ["refusing"]), [])
        assertUntouched(errorVictim)
    }

    /// A link planted at `paddock.db-shm` (which the master would chown to
    /// the service user along with the database) stops the start with an
    /// error naming it.
    func testSymlinkAtTheSQLiteSharedMemoryFileRefusesToStart() throws {
        let nobody = try requireRoot()
        let dir = try makeDirectory(owner: nobody)
        let victim = try makeVictim(in: dir)
        plantLink(to: victim, at: dir + "/paddock.db-shm", owner: nobody)
        let r = try ServerProcess.run(["--workers", "1", "--user", "nobody", "--bind", "127.0.0.1:0",
                                       "--database-url", "sqlite:///paddock.db", "--password-scrypt-n", "1024"],
                                      directory: dir, timeout: 30)
        XCTAssertEqual(r.status, .exited(WorkerExitCode.fatalConfig.rawValue), r.stderr)
        XCTAssertTrue(r.stderr.contains("refusing paddock.db-shm: it is a symbolic link"), r.stderr)
        assertUntouched(victim)
    }

    // MARK: 10. Files are not world-readable

    /// With umask 000, a fresh start creates the logs 0640 and the database
    /// with its -wal and -shm 0600; as root with `user`, all belong to that user.
    func testFreshFilesAreNotWorldReadableEvenWithUmaskZero() throws {
        let root = Privileges.effectiveUserID == 0
        let nobody = root ? try Privileges.user("nobody") : nil
        let dir = try makeDirectory(owner: nobody)
        let access = dir + "/access.log"
        let s = try ServerProcess(arguments: ["--workers", "1", "--umask", "000", "--database-url", "sqlite:///paddock.db",
                                              "--password-scrypt-n", "1024", "--access-logfile", access]
                                  + (root ? ["--user", "nobody"] : []), directory: dir)
        server = s
        try s.waitReady()
        try register(s.port, email: "mode@example.com")
        let expected: [(String, UInt32)] = [(s.errorLogPath, 0o640), (access, 0o640), (dir + "/paddock.db", 0o600),
                                            (dir + "/paddock.db-wal", 0o600), (dir + "/paddock.db-shm", 0o600)]
        for (path, mode) in expected {
            let st = try status(path)
            XCTAssertEqual(String(st.st_mode & 0o777, radix: 8), String(mode, radix: 8), path)
            if let nobody { XCTAssertEqual(st.st_uid, nobody.uid, "\(path) belongs to the workers' user") }
        }
        s.stopGracefully()
        XCTAssertEqual(s.unexpectedErrorLines(allowing: ["jwt_secret_key is not set"]), [])
    }

    /// After size-based rotation the master creates the new access log for
    /// the workers' user, 0640, before they reopen it; and the error log,
    /// which the service user replaced with a link meanwhile, is refused
    /// rather than chowned when the rotation has every process reopen.
    func testRotationRecreatesTheLogForTheServiceUserAndRefusesAPlantedLink() throws {
        let nobody = try requireRoot()
        let dir = try makeDirectory(owner: nobody)
        let access = dir + "/access.log"
        let s = try ServerProcess(arguments: ["--app", "echo", "--workers", "1", "--user", "nobody", "--access-logfile", access,
                                              "--log-max-bytes", "2048", "--log-backup-count", "2"], directory: dir)
        server = s
        try s.waitReady()
        let victim = try makeVictim(in: dir)
        let kept = s.errorLogPath + ".old"
        XCTAssertEqual(rename(s.errorLogPath, kept), 0)
        plantLink(to: victim, at: s.errorLogPath, owner: nobody)
        let deadline = Date().addingTimeInterval(20)
        var sent = 0
        while !FileManager.default.fileExists(atPath: access + ".1") && Date() < deadline && sent < 2000 {
            _ = try HTTPTestClient(port: s.port).request("GET", "/health?padding=\(String(repeating: "x", count: 100))")
            sent += 1
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: access + ".1"), "no rotation after \(sent) requests")
        var log = ""
        while Date() < deadline {
            log = (try? String(contentsOfFile: kept, encoding: .utf8)) ?? ""
            if log.contains("slot=0 reopening the error log: refusing") { break }
            Clock.sleep(milliseconds: 20)
        }
        XCTAssertTrue(log.contains("slot=- preparing \(s.errorLogPath): refusing"), log)
        XCTAssertTrue(log.contains("slot=0 reopening the error log: refusing"), log)
        let st = try status(access)
        XCTAssertEqual(st.st_uid, nobody.uid)
        XCTAssertEqual(String(st.st_mode & 0o777, radix: 8), "640")
        XCTAssertEqual(try HTTPTestClient(port: s.port).request("GET", "/health").status, 200)
        s.stopGracefully()
        assertUntouched(victim)
        XCTAssertEqual(unexpectedLines(in: kept, allowing: ["refusing"]), [])
    }

    // MARK: 11. Secrets off the command line

    /// The key from `jwt_secret_key_file`, relative to `$CREDENTIALS_DIRECTORY`
    /// as systemd's `LoadCredential=` provides it, signs the tokens; a HUP
    /// after the file changed gives new workers the new key.
    func testSecretFileSignsTokensAndAHupRereadsIt() throws {
        let dir = try makeDirectory()
        let credentials = dir + "/credentials"
        XCTAssertEqual(mkdir(credentials, 0o700), 0)
        let first = Digest.hex(Digest.randomBytes(32)), second = Digest.hex(Digest.randomBytes(32))
        try "\(first)\n".write(toFile: credentials + "/jwt", atomically: true, encoding: .utf8)
        let s = try ServerProcess(arguments: ["--workers", "1", "--database-url", "sqlite:///paddock.db", "--password-scrypt-n", "1024",
                                              "--jwt-secret-key-file", "jwt"],
                                  environment: ["CREDENTIALS_DIRECTORY": credentials], directory: dir)
        server = s
        try s.waitReady()
        try register(s.port, email: "secret@example.com")
        let before = try login(s.port, email: "secret@example.com")
        XCTAssertTrue(isSigned(before, with: first), "signed with the file's key, newline stripped")
        XCTAssertEqual(try me(s.port, token: before), 200)

        try "\(second)\n".write(toFile: credentials + "/jwt", atomically: true, encoding: .utf8)
        let oldWorker = try XCTUnwrap(s.workerPids()[0])
        let mark = try s.notificationMark()
        try s.signal(SIGHUP)
        let done = try s.waitForNotification("READY=1", after: mark, timeout: 30)
        XCTAssertTrue(done.contains("STATUS=reloaded: generation 2"), done)
        // Until it exits, the retired worker may still answer from the accept backlog with the old key.
        XCTAssertTrue(waitForProcessExit(oldWorker, timeout: 30), "the generation 1 worker did not exit")
        let after = try login(s.port, email: "secret@example.com")
        XCTAssertTrue(isSigned(after, with: second))
        XCTAssertEqual(try me(s.port, token: after), 200)
        XCTAssertEqual(try me(s.port, token: before), 401, "the old key is gone")

        // A HUP with the file gone is a configuration error: nothing changes.
        XCTAssertEqual(unlink(credentials + "/jwt"), 0)
        let failed = try s.notificationMark()
        try s.signal(SIGHUP)
        let kept = try s.waitForNotification("READY=1", after: failed, timeout: 30)
        XCTAssertTrue(kept.contains("STATUS=reload failed: configuration error"), kept)
        XCTAssertTrue(s.errorLog().contains("reload failed, keeping the running configuration: command line --jwt-secret-key-file: jwt_secret_key_file: cannot read \(credentials)/jwt"),
                      s.errorLog())
        XCTAssertEqual(try me(s.port, token: after), 200)
        s.stopGracefully()
        XCTAssertEqual(s.unexpectedErrorLines(allowing: ["reload failed, keeping the running configuration"]), [])
    }

    /// A key on the command line (visible in `ps`) and a short key each get a warning.
    func testCommandLineAndShortKeysAreWarnedAbout() throws {
        let s = try ServerProcess(arguments: ["--app", "echo", "--workers", "1", "--jwt-secret-key", "short-secret"],
                                  directory: try makeDirectory())
        server = s
        try s.waitReady()
        let warnings = s.unexpectedErrorLines()
        XCTAssertTrue(warnings.contains { $0.contains("jwt_secret_key is given on the command line (--jwt-secret-key)") }, "\(warnings)")
        XCTAssertTrue(warnings.contains { $0.contains("is 12 bytes long; use at least 32") }, "\(warnings)")
        XCTAssertEqual(warnings.count, 2, "\(warnings)")
    }

    /// `--check-config` reads the file as a start would: a missing one is an
    /// error naming the setting and the resolved path.
    func testCheckConfigReportsAMissingSecretFile() throws {
        let dir = try makeDirectory()
        let missing = try ServerProcess.run(["--check-config", "--jwt-secret-key-file", "jwt"], directory: dir,
                                            environment: ["CREDENTIALS_DIRECTORY": dir])
        XCTAssertEqual(missing.status, .exited(WorkerExitCode.fatalConfig.rawValue))
        XCTAssertTrue(missing.stderr.contains("jwt_secret_key_file") && missing.stderr.contains("\(dir)/jwt"), missing.stderr)
        try "k\n".write(toFile: dir + "/jwt", atomically: true, encoding: .utf8)
        let both = try ServerProcess.run(["--check-config", "--jwt-secret-key-file", "jwt", "--jwt-secret-key", "other"],
                                         directory: dir, environment: ["CREDENTIALS_DIRECTORY": dir])
        XCTAssertEqual(both.status, .exited(WorkerExitCode.fatalConfig.rawValue))
        XCTAssertTrue(both.stderr.contains("set only one"), both.stderr)
        let ok = try ServerProcess.run(["--check-config", "--jwt-secret-key-file", "jwt"], directory: dir,
                                       environment: ["CREDENTIALS_DIRECTORY": dir])
        XCTAssertEqual(ok.status, .exited(0), ok.stderr)
    }
}
