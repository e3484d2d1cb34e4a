// swift-tools-version:6.0
// Paddock: a prefork HTTP/1.1 application server. No package dependencies:
// only the toolchain and system C libraries through system-library targets.
import PackageDescription

let package = Package(
    name: "Paddock",
    products: [
        .executable(name: "paddock", targets: ["Master"]),
        .executable(name: "paddock-worker", targets: ["Worker"]),
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq",
                       providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        .target(name: "CPosixShims"),
        // libcrypto memory hooks (C callbacks) for the worker.
        .target(name: "CCryptoShims", dependencies: ["CCrypto"]),
        .target(name: "Posix", dependencies: ["CPosixShims"]),
        .target(name: "ServerCore", dependencies: ["Posix", "CCrypto"]),
        .target(name: "AppCore", dependencies: ["ServerCore", "CLibPQ", "CSQLite", "CCrypto"]),
        .executableTarget(name: "Master", dependencies: ["ServerCore", "Posix"]),
        .executableTarget(name: "Worker", dependencies: ["ServerCore", "Posix", "AppCore", "CCryptoShims"]),
        // Shared by the test targets only (throwaway PostgreSQL, process helpers).
        .target(name: "TestSupport", dependencies: ["Posix", "ServerCore"]),
        .testTarget(name: "PosixTests", dependencies: ["Posix"]),
        .testTarget(name: "ServerCoreTests", dependencies: ["ServerCore"]),
        .testTarget(name: "MasterTests", dependencies: ["Master", "ServerCore"]),
        .testTarget(name: "WorkerTests", dependencies: ["Worker", "ServerCore"],
                    // Request files read by path at test time, not bundled.
                    exclude: ["Corpus"]),
        .testTarget(name: "AppCoreTests", dependencies: ["AppCore", "ServerCore", "TestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "IntegrationTests", dependencies: ["ServerCore", "Posix", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
