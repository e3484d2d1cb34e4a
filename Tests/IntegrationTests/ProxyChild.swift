import Foundation
import Glibc
import Posix
import TestSupport

/// A proxy the tests started (HAProxy, nginx): polled and reaped by pid,
/// stopped with TERM (both stop at once on it), then KILL if it lingers.
protocol ProxyChild: AnyObject {
    var pid: Int32 { get }
    /// The exit status once reaped.
    var reapedStatus: ExitStatus? { get set }
}

extension ProxyChild {
    /// Non-blocking: the exit status once the proxy has exited.
    func exitStatus() -> ExitStatus? {
        if let reapedStatus { return reapedStatus }
        var raw: Int32 = 0
        if waitpid(pid, &raw, WNOHANG) == pid { reapedStatus = ExitStatus(raw: raw) }
        return reapedStatus
    }

    /// TERM, then KILL after 5 s; reaps it.
    func stop() {
        guard exitStatus() == nil else { return }
        _ = Glibc.kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if exitStatus() != nil { return }
            Clock.sleep(milliseconds: 10)
        }
        _ = Glibc.kill(pid, SIGKILL)
        var raw: Int32 = 0
        if waitpid(pid, &raw, 0) == pid { reapedStatus = ExitStatus(raw: raw) }
    }
}
