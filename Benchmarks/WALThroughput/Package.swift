// swift-tools-version: 6.0
// Hand-run throughput benchmark of the WAL writer (not part of CI). Sources/ links to the real modules in Shared/.
// Run: swift run -c release wal-throughput --help
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "WALThroughput",
    platforms: [.macOS(.v15)],
    targets: [
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd"),
        .systemLibrary(name: "CSnappy"),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib"),
        .target(name: "CRE2Shim", linkerSettings: [.linkedLibrary("re2"), .linkedLibrary("stdc++")]),
        .target(name: "CFjordBytes"),
        .target(name: "FjordRegex", dependencies: ["CRE2Shim"], swiftSettings: strict),
        .target(name: "FjordModel", dependencies: ["FjordRegex"], swiftSettings: strict),
        .target(name: "FjordCompression", dependencies: ["CZstd", "CSnappy", "CZlib", "CFjordBytes"], swiftSettings: strict),
        .target(name: "FjordWAL", dependencies: ["FjordModel", "FjordCompression", "CFjordBytes"], swiftSettings: strict),
        .executableTarget(name: "wal-throughput", dependencies: ["FjordWAL", "FjordModel", "FjordCompression", "CZstd"], swiftSettings: strict),
    ],
    cxxLanguageStandard: .cxx17
)
