import Glibc

/// Users, groups and dropping root.
public enum Privileges {
    public struct Identity: Equatable, Sendable {
        public let uid: UInt32
        public let gid: UInt32
        public let name: String
    }

    /// Resolves a user name or numeric id, with its primary group.
    /// The C function is `getpwnam_r(3)`.
    public static func user(_ nameOrID: String) throws -> Identity {
        var pwd = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buf = [CChar](repeating: 0, count: 16384)
        let err: Int32
        if let id = UInt32(nameOrID) {
            err = getpwuid_r(id, &pwd, &buf, buf.count, &result)
        } else {
            err = getpwnam_r(nameOrID, &pwd, &buf, buf.count, &result)
        }
        if err != 0 { throw SystemError("getpwnam_r", Errno(rawValue: err), context: nameOrID) }
        guard result != nil else { throw SystemError("getpwnam_r", .ENOENT, context: "no user \(nameOrID)") }
        return Identity(uid: pwd.pw_uid, gid: pwd.pw_gid, name: String(cString: pwd.pw_name))
    }

    /// Resolves a group name or numeric id. The C function is `getgrnam_r(3)`.
    public static func group(_ nameOrID: String) throws -> UInt32 {
        if let id = UInt32(nameOrID) { return id }
        var grp = Glibc.group()
        var result: UnsafeMutablePointer<Glibc.group>?
        var buf = [CChar](repeating: 0, count: 16384)
        let err = getgrnam_r(nameOrID, &grp, &buf, buf.count, &result)
        if err != 0 { throw SystemError("getgrnam_r", Errno(rawValue: err), context: nameOrID) }
        guard result != nil else { throw SystemError("getgrnam_r", .ENOENT, context: "no group \(nameOrID)") }
        return grp.gr_gid
    }

    /// The user and group configured as `user`/`group` (the group defaults
    /// to the user's primary group).
    public static func resolve(user: String, group groupName: String) throws -> (identity: Identity, gid: UInt32) {
        let identity = try self.user(user)
        return (identity, groupName.isEmpty ? identity.gid : try group(groupName))
    }

    /// Becomes `uid`/`gid` for good: supplementary groups, then the group,
    /// then the user (in that order: after setuid the others are no longer
    /// permitted). The C functions are `initgroups(3)`, `setgid(2)`, `setuid(2)`.
    public static func drop(to identity: Identity, gid: UInt32) throws {
        _ = try syscall("initgroups", context: identity.name) { initgroups(identity.name, gid) }
        _ = try syscall("setgid", context: "\(gid)") { setgid(gid) }
        _ = try syscall("setuid", context: "\(identity.uid)") { setuid(identity.uid) }
        // Regaining root must now fail; if it works, the drop did not happen.
        if identity.uid != 0 && setuid(0) == 0 { throw SystemError("setuid", .EPERM, context: "privileges could be regained") }
    }

    /// The C function is `geteuid(2)`.
    public static var effectiveUserID: UInt32 { geteuid() }
}
