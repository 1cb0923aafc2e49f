// swift-tools-version: 6.0
// Hand-run measurement of the query engine (not part of CI): the lokicompat benchmark queries over a data set held
// in memory, either as plain batches (engine + pipeline only) or as the ingester's compressed blocks.
// Sources/ links to the real modules in Shared/.
// Run: swift run -c release engine-queries --dataset FILE.jsonl.gz [--storage memory|raw] [--repeat 5]
//      [--only QUERY_ID] [--parallelism N]
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "EngineQueries",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd"),
        .systemLibrary(name: "CSnappy"),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib"),
        .target(name: "CRE2Shim", linkerSettings: [.linkedLibrary("re2"), .linkedLibrary("stdc++")]),
        .target(name: "CFjordBytes"),
        .target(name: "FjordRegex", dependencies: ["CRE2Shim"], swiftSettings: strict),
        .target(name: "FjordModel", dependencies: ["FjordRegex"], swiftSettings: strict),
        .target(name: "FjordCompression", dependencies: ["CZstd", "CSnappy", "CZlib", "CFjordBytes"], swiftSettings: strict),
        .target(name: "FjordStorage", dependencies: ["FjordModel", "FjordCompression", "CFjordBytes",
                                                     .product(name: "Collections", package: "swift-collections")],
                swiftSettings: strict),
        .target(name: "FjordLogQL", dependencies: ["FjordModel", "FjordRegex"], swiftSettings: strict),
        .target(name: "FjordPipeline", dependencies: ["FjordLogQL", "FjordModel", "FjordRegex", "CFjordBytes"],
                swiftSettings: strict),
        .target(name: "FjordEngine", dependencies: ["FjordLogQL", "FjordPipeline", "FjordModel"], swiftSettings: strict),
        .executableTarget(name: "engine-queries",
                          dependencies: ["FjordEngine", "FjordLogQL", "FjordStorage", "FjordModel", "FjordCompression"],
                          swiftSettings: strict),
    ],
    cxxLanguageStandard: .cxx17
)
