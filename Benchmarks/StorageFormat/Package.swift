// swift-tools-version: 6.0
// Hand-run measurement of Fjord's storage format (not part of CI): bytes per line and encode/decode speed on the
// conformance data set. Sources/ links to the real modules in Shared/.
// Run: swift run -c release storage-format [--dataset PATH] [--levels 1,3] [--block-kib 256]
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "StorageFormat",
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
        .target(name: "FjordStorage", dependencies: ["FjordModel", "FjordCompression", "CFjordBytes"], swiftSettings: strict),
        .executableTarget(name: "storage-format", dependencies: ["FjordStorage", "FjordModel", "FjordCompression", "CFjordBytes"],
                          swiftSettings: strict),
    ],
    cxxLanguageStandard: .cxx17
)
