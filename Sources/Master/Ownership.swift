import Glibc
import Posix
import ServerCore

/// Who the workers run as (`user`/`group`), and the files the master creates
/// or keeps for them: log files and the SQLite database must belong to the
/// workers' user, or they could not reopen or write them after dropping root.
struct Ownership {
    let uid: UInt32
    let gid: UInt32

    /// nil when no user is configured or the master is not root (then
    /// workers run as the master's user and nothing changes hands).
    static func resolve(_ config: Configuration, logger: Logger) throws -> Ownership? {
        let userName = config[Settings.user]
        guard !userName.isEmpty else { return nil }
        guard Privileges.effectiveUserID == 0 else {
            logger.warning("user = \(userName) ignored: the master is not running as root")
            return nil
        }
        let (identity, gid) = try Privileges.resolve(user: userName, group: config[Settings.group])
        return Ownership(uid: identity.uid, gid: gid)
    }

    /// Creates the log file `path` if missing (0640) and gives it to the
    /// workers' user. The directory is usually the service user's, so what
    /// is there may have been planted: a symbolic link or a hard link is
    /// refused (`Files.openAppend`), and only a regular file changes owner,
    /// through the open descriptor, never by path (`/dev/null` stays root's).
    func prepare(file path: String) throws {
        guard !path.isEmpty, path != "-", LogDestination.standardStream(path) == nil else { return }
        let fd = try Files.openAppend(path)
        do {
            try handOver(fd)
        } catch {
            fd.closeAfterFailure()
            throw error
        }
        try fd.close()
    }

    /// Gives an existing SQLite file (the database, `-wal`, `-shm`) to the
    /// workers' user, e.g. after `paddock migrate` ran as root. Refuses a
    /// symbolic link, a hard link and anything but a regular file: SQLite
    /// would write into it, and root would chown it.
    func adopt(existing path: String) throws {
        guard let fd = try Files.openExistingNoFollow(path, flags: O_RDONLY) else { return }
        do {
            guard try fd.status().isRegularFile else {
                throw RefusedFileError(path: path, reason: "not a regular file")
            }
            try handOver(fd)
        } catch {
            fd.closeAfterFailure()
            throw error
        }
        try fd.close()
    }

    /// `fchown` of a regular file to the workers' user, when it is not theirs yet.
    private func handOver(_ fd: FileDescriptor) throws {
        let status = try fd.status()
        guard status.isRegularFile, status.uid != uid || status.gid != gid else { return }
        try fd.changeOwner(uid: uid, gid: gid)
    }

    /// The SQLite file named by `database_url`, if it is one (`sqlite:///rel`, `sqlite:////abs`).
    static func sqlitePath(_ url: String) -> String? {
        guard url.hasPrefix("sqlite:///") else { return nil }
        let path = String(url.dropFirst("sqlite:///".count))
        guard !path.isEmpty, path != ":memory:" else { return nil }
        return path.split(separator: "?", maxSplits: 1).first.map(String.init)
    }

    /// Everything the workers will open: log files and the database files.
    func prepareAll(_ config: Configuration) throws {
        try prepare(file: config[Settings.errorlog])
        try prepare(file: config[Settings.accesslog])
        if let db = Ownership.sqlitePath(config[Settings.databaseURL]) {
            for p in [db, db + "-wal", db + "-shm"] { try adopt(existing: p) }
        }
    }
}
