import Posix

/// Whether standard error is connected to journald.
///
/// systemd sets `JOURNAL_STREAM` to `<device>:<inode>` of the stream it
/// connects to a service's standard output and error; the variable alone is
/// not proof, since children inherit it after redirecting their output, so
/// the descriptor's own device and inode must match (systemd.exec(5),
/// "$JOURNAL_STREAM").
public enum JournalStream {
    public static let variable = "JOURNAL_STREAM"

    /// True when `journalStream` (the variable's value) names standard error.
    public static func isStandardError(journalStream: String?) -> Bool {
        guard let journalStream, let wanted = parse(journalStream) else { return false }
        let status: FileStatus
        do { status = try FileDescriptor.standardError.status() } catch {
            // A closed standard error is not the journal; the logger's writes will say the rest.
            return false
        }
        return status.device == wanted.device && status.inode == wanted.inode
    }

    /// `device:inode`, both decimal; nil for anything else.
    static func parse(_ text: String) -> (device: UInt64, inode: UInt64)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return nil }
        return (device, inode)
    }
}
