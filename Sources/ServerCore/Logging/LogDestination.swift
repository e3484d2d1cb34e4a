import Posix

/// Log paths that name a standard stream rather than a file.
public enum LogDestination {
    /// Standard output for `/dev/stdout`, standard error for `/dev/stderr`,
    /// nil for anything else. These two are symbolic links (to
    /// `/proc/self/fd/N`), which log files never follow, and gunicorn
    /// configurations name them often; they mean the stream the process
    /// already has, so it is used as it is, never reopened, rotated or chowned.
    public static func standardStream(_ path: String) -> FileDescriptor? {
        switch path {
        case "/dev/stdout": return .standardOutput
        case "/dev/stderr": return .standardError
        default: return nil
        }
    }
}
