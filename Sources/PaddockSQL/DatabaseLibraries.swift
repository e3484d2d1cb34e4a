import CLibPQ
import CSQLite

/// The client libraries the process runs with, for `--version`: the shared
/// libraries loaded at run time, which may be newer than the headers.
public enum DatabaseLibraries {
    /// libpq's version from `PQlibVersion()`: 160004 is 16.4; before 10 it
    /// had three parts (90605 is 9.6.5).
    public static var libpq: String { libpqVersion(Int(PQlibVersion())) }

    /// `sqlite3_libversion()`, such as 3.45.1.
    public static var sqlite: String { String(cString: sqlite3_libversion()) }

    /// Both, for `PaddockMain.run(libraries:)`.
    public static var all: [(name: String, version: String)] { [("libpq", libpq), ("sqlite", sqlite)] }

    static func libpqVersion(_ number: Int) -> String {
        number >= 100_000 ? "\(number / 10_000).\(number % 10_000)" : "\(number / 10_000).\(number / 100 % 100).\(number % 100)"
    }
}
