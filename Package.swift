// swift-tools-version: 6.0
// Fjord: a Loki-compatible log aggregation system.
//
// Layout (see docs/architecture.md):
//   Shared/<Concept>/   library modules, one concept each; never import Services.
//   Services/<Role>/    a role's logic as a library plus a tiny executable.
//   Tests/<Module>Tests unit tests beside each module's concerns; IntegrationTests start real processes.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Fjord",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "FjordModel", targets: ["FjordModel"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        // MARK: C libraries (Debian -dev packages, installed by scripts/setup)
        .systemLibrary(name: "CZstd", path: "Shared/CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CSnappy", path: "Shared/CSnappy", providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CZlib", path: "Shared/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "CRE2Shim", path: "Shared/CRE2Shim",
            linkerSettings: [.linkedLibrary("re2"), .linkedLibrary("stdc++")]
        ),
        .target(name: "CFjordBytes", path: "Shared/CFjordBytes"),

        // MARK: Shared core (no HTTP here)
        .target(name: "FjordRegex", dependencies: ["CRE2Shim"], path: "Shared/Regex", swiftSettings: strict),
        .target(name: "FjordModel", dependencies: ["FjordRegex"], path: "Shared/Model", swiftSettings: strict),
        .target(
            name: "FjordCompression", dependencies: ["CZstd", "CSnappy", "CZlib", "CFjordBytes"],
            path: "Shared/Compression", swiftSettings: strict
        ),
        .target(
            name: "FjordPush", dependencies: ["FjordModel", "FjordCompression"],
            path: "Shared/Push", swiftSettings: strict
        ),
        .target(
            name: "FjordStorage",
            dependencies: [
                "FjordModel", "FjordCompression", "CFjordBytes",
                .product(name: "Collections", package: "swift-collections"),
            ],
            path: "Shared/Storage", swiftSettings: strict
        ),
        .target(
            name: "FjordWAL", dependencies: ["FjordModel", "FjordCompression", "CFjordBytes"],
            path: "Shared/WAL", swiftSettings: strict
        ),
        .target(name: "FjordLogQL", dependencies: ["FjordModel", "FjordRegex"], path: "Shared/LogQL", swiftSettings: strict),
        .target(
            name: "FjordPipeline", dependencies: ["FjordLogQL", "FjordModel", "FjordRegex", "CFjordBytes"],
            path: "Shared/Pipeline", swiftSettings: strict
        ),
        .target(
            name: "FjordEngine",
            dependencies: [
                "FjordLogQL", "FjordPipeline", "FjordModel",
                .product(name: "Collections", package: "swift-collections"),
            ],
            path: "Shared/Engine", swiftSettings: strict
        ),

        // MARK: Tests
        .testTarget(name: "FjordModelTests", dependencies: ["FjordModel", "FjordRegex"], path: "Tests/FjordModelTests"),
        .testTarget(
            name: "FjordPushTests", dependencies: ["FjordPush", "FjordCompression"], path: "Tests/FjordPushTests",
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "FjordStorageTests", dependencies: ["FjordStorage"], path: "Tests/FjordStorageTests"),
        .testTarget(name: "FjordWALTests", dependencies: ["FjordWAL"], path: "Tests/FjordWALTests"),
        .testTarget(name: "FjordLogQLTests", dependencies: ["FjordLogQL"], path: "Tests/FjordLogQLTests"),
        .testTarget(name: "FjordPipelineTests", dependencies: ["FjordPipeline"], path: "Tests/FjordPipelineTests"),
        .testTarget(name: "FjordEngineTests", dependencies: ["FjordEngine"], path: "Tests/FjordEngineTests"),
    ],
    cxxLanguageStandard: .cxx17
)
