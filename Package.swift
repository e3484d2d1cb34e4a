// swift-tools-version:6.0
// Paddock: a prefork HTTP/1.1 application server. No package dependencies:
// only the toolchain and system C libraries through system-library targets.
import PackageDescription

// Our own modules never import _StringProcessing (regex and string algorithms),
// so the executables do not link it and its 800 KiB of code and metadata.
// Release builds also put each function in its own section so the linker can
// order them (below).
let moduleSettings: [SwiftSetting] = [
    .unsafeFlags(["-Xfrontend", "-disable-implicit-string-processing-module-import"]),
    .unsafeFlags(["-Xfrontend", "-function-sections"], .when(configuration: .release)),
]

// Release builds of the executables link with lld: packed relative
// relocations (DT_RELR: 4 KiB instead of 480 KiB of relocation records read at
// every start), and the functions that start, idle and serve requests laid out
// together from linker/hot-functions.txt (scripts/update-hot-functions), so a
// process maps a few hundred KiB of code instead of most of the binary.
// docs/performance.md has the figures.
let executableLinkerSettings: [LinkerSetting] = [
    .unsafeFlags(["-use-ld=lld",
                  "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
                  "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/linker/hot-functions.txt",
                  "-Xlinker", "--no-warn-symbol-ordering"],
                 .when(configuration: .release)),
]

let package = Package(
    name: "Paddock",
    products: [
        // What an application is built on: docs/design.md, "Public API".
        .library(name: "Paddock", targets: ["Paddock"]),
        .library(name: "PaddockSQL", targets: ["PaddockSQL"]),
        // The built-in users and echo applications: master and workers in one binary.
        .executable(name: "paddock", targets: ["PaddockServer"]),
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq",
                       providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSSL", pkgConfig: "libssl",
                       providers: [.apt(["libssl-dev"])]),
        .target(name: "CPosixShims"),
        // libssl's macros (options, modes, ALPN, ticket keys) as functions.
        .target(name: "CTLSShims", dependencies: ["CSSL"]),
        // libcrypto memory hooks (C callbacks) for the worker.
        .target(name: "CCryptoShims", dependencies: ["CCrypto"]),
        .target(name: "Posix", dependencies: ["CPosixShims"], swiftSettings: moduleSettings),
        .target(name: "ServerCore", dependencies: ["Posix", "CCrypto", "CSSL", "CTLSShims"], swiftSettings: moduleSettings),
        // The master and the worker: libraries, run by `PaddockMain` in one binary.
        .target(name: "Master", dependencies: ["ServerCore", "Posix"], swiftSettings: moduleSettings),
        .target(name: "Worker", dependencies: ["ServerCore", "Posix", "CCryptoShims"], swiftSettings: moduleSettings),
        .target(name: "Paddock", dependencies: ["ServerCore", "Posix", "Master", "Worker"], swiftSettings: moduleSettings),
        .target(name: "PaddockSQL", dependencies: ["Paddock", "ServerCore", "Posix", "CLibPQ", "CSQLite"], swiftSettings: moduleSettings),
        // The users application, built only on the two public products.
        .target(name: "AppCore", dependencies: ["Paddock", "PaddockSQL"], swiftSettings: moduleSettings),
        .executableTarget(name: "PaddockServer", dependencies: ["Paddock", "AppCore"],
                          swiftSettings: moduleSettings,
                          // GnuTLS finds its skip hook (CCryptoShims/gnutls.c) in the dynamic symbol table.
                          linkerSettings: executableLinkerSettings + [
                              .unsafeFlags(["-Xlinker", "--export-dynamic-symbol", "-Xlinker", "_gnutls_global_init_skip"]),
                          ]),
        // A tiny application on the public API alone, run as a real binary by IntegrationTests.
        .executableTarget(name: "PaddockExampleTestApp", dependencies: ["Paddock"], swiftSettings: moduleSettings),
        // The example package's own sources (Examples/hello), compiled here a
        // second time so that IntegrationTests run its very binary without
        // building that package (and Paddock again) in a `.build` of its own.
        // Same targets, dependencies and settings as its Package.swift.
        .target(name: "HelloApp", dependencies: ["Paddock", "PaddockSQL"], path: "Examples/hello/Sources/HelloApp"),
        .executableTarget(name: "hello", dependencies: ["HelloApp", "Paddock"], path: "Examples/hello/Sources/hello"),
        // Shared by the test targets only (throwaway PostgreSQL, process helpers).
        .target(name: "TestSupport", dependencies: ["Posix", "ServerCore"]),
        .testTarget(name: "PosixTests", dependencies: ["Posix"]),
        .testTarget(name: "ServerCoreTests", dependencies: ["ServerCore", "TestSupport"]),
        .testTarget(name: "MasterTests", dependencies: ["Master", "ServerCore"]),
        .testTarget(name: "WorkerTests", dependencies: ["Worker", "ServerCore"],
                    // Request files read by path at test time, not bundled.
                    exclude: ["Corpus"]),
        .testTarget(name: "AppCoreTests", dependencies: ["AppCore", "PaddockSQL", "ServerCore", "TestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "PaddockTests", dependencies: ["Paddock", "ServerCore"]),
        .testTarget(name: "IntegrationTests", dependencies: ["ServerCore", "Posix", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
