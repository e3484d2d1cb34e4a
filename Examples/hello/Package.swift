// swift-tools-version:6.0
// An application served by Paddock: a separate package that depends on
// Paddock's library products, here by path from a Paddock checkout.
import PackageDescription

let package = Package(
    name: "Hello",
    dependencies: [
        .package(name: "Paddock", path: "../.."),
    ],
    targets: [
        // The application itself, a library so that its tests can build it in process.
        .target(name: "HelloApp", dependencies: [
            .product(name: "Paddock", package: "Paddock"),
            .product(name: "PaddockSQL", package: "Paddock"),
        ]),
        // The one binary: master, workers and nothing else.
        .executableTarget(name: "hello", dependencies: ["HelloApp", .product(name: "Paddock", package: "Paddock")]),
        .testTarget(name: "HelloAppTests", dependencies: ["HelloApp", .product(name: "Paddock", package: "Paddock")]),
    ],
    swiftLanguageModes: [.v6]
)
