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
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
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
            name: "FjordS3",
            dependencies: [
                "FjordStorage", "FjordModel",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Shared/S3", swiftSettings: strict
        ),
        .target(
            name: "FjordDeletion",
            dependencies: ["FjordStorage", "FjordServiceAPI", "FjordLogQL", "FjordPipeline", "FjordModel"],
            path: "Shared/Deletion", swiftSettings: strict
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
        .target(
            name: "FjordLokiAPI", dependencies: ["FjordModel", "FjordLogQL"],
            path: "Shared/LokiAPI", swiftSettings: strict
        ),

        .target(
            name: "FjordRules",
            dependencies: [
                "FjordModel", "FjordLogQL", "FjordRing", "FjordLokiAPI",
                .product(name: "Yams", package: "Yams"),
            ],
            path: "Shared/Rules", swiftSettings: strict
        ),
        .target(
            name: "FjordMemcached",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Shared/Memcached", swiftSettings: strict
        ),
        .target(
            name: "FjordQueryFrontend",
            dependencies: [
                "FjordModel", "FjordLogQL", "FjordEngine", "FjordServiceAPI", "FjordMemcached",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Shared/QueryFrontend", swiftSettings: strict
        ),

        .target(
            name: "FjordRing",
            dependencies: ["FjordModel", .product(name: "Yams", package: "Yams")],
            path: "Shared/Ring", swiftSettings: strict
        ),

        // Credentials, password and token hashes, and the decision which tenant a credential may use for what.
        .target(
            name: "FjordAuth",
            dependencies: [
                "FjordModel", .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            path: "Shared/Auth", swiftSettings: strict
        ),

        // MARK: Configuration and the interfaces roles offer each other
        .target(
            name: "FjordConfig",
            dependencies: ["FjordModel", .product(name: "Yams", package: "Yams")],
            path: "Shared/Config", swiftSettings: strict
        ),
        .target(name: "FjordServiceAPI", dependencies: ["FjordModel"], path: "Shared/ServiceAPI", swiftSettings: strict),
        // Live tail: the ingester's subscriptions (bounded buffers that report drops) and the tailer's session
        // (replica de-duplication, the query's pipeline, frame batching).
        .target(
            name: "FjordTail",
            dependencies: [
                "FjordModel", "FjordLogQL", "FjordPipeline", "FjordServiceAPI",
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            path: "Shared/Tail", swiftSettings: strict
        ),
        .target(
            name: "FjordWire",
            dependencies: [
                "FjordModel", "FjordServiceAPI", "FjordStorage", "FjordCompression",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Shared/Wire", swiftSettings: strict
        ),

        .target(
            name: "FjordRuntime",
            dependencies: [
                "FjordConfig", "FjordWire", "FjordRing", "FjordLokiAPI", "FjordServiceAPI", "FjordModel", "FjordAuth", "FjordS3", "FjordStorage",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Shared/Runtime", swiftSettings: strict
        ),

        // MARK: Roles (Services/<Role>/Library holds the logic; executables stay tiny)
        .target(
            name: "FjordIngester",
            dependencies: [
                "FjordModel", "FjordStorage", "FjordWAL", "FjordPush", "FjordConfig", "FjordServiceAPI",
                "FjordRuntime", "FjordWire", "FjordTail",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/Ingester/Library", swiftSettings: strict
        ),
        .target(
            name: "FjordQuerier",
            dependencies: [
                "FjordModel", "FjordEngine", "FjordLogQL", "FjordStorage", "FjordConfig", "FjordServiceAPI",
                "FjordRuntime", "FjordWire", "FjordRing", "FjordDeletion",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Services/Querier/Library", swiftSettings: strict
        ),
        .target(
            name: "FjordGateway",
            dependencies: [
                "FjordModel", "FjordPush", "FjordLogQL", "FjordConfig", "FjordServiceAPI", "FjordLokiAPI",
                "FjordRuntime", "FjordWire", "FjordRing", "FjordQueryFrontend", "FjordMemcached", "FjordAuth",
                "FjordTail",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/Gateway/Library", swiftSettings: strict
        ),
        .target(
            name: "FjordCompactor",
            dependencies: [
                "FjordStorage", "FjordConfig", "FjordRuntime", "FjordModel", "FjordCompression", "FjordLogQL", "FjordDeletion",
                "FjordServiceAPI", "FjordWire",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/Compactor/Library", swiftSettings: strict
        ),
        .target(
            name: "FjordRuler",
            dependencies: [
                "FjordRules", "FjordModel", "FjordConfig", "FjordServiceAPI", "FjordRuntime", "FjordRing", "FjordWire",
                "FjordCompression", "FjordLokiAPI", "FjordAuth",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/Ruler/Library", swiftSettings: strict
        ),
        .target(
            name: "FjordAgent",
            dependencies: [
                "FjordModel", "FjordPush", "FjordLogQL", "FjordRegex", "FjordPipeline", "FjordConfig", "FjordRuntime",
                "FjordLokiAPI",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/Agent/Library", swiftSettings: strict
        ),
        .executableTarget(name: "fjord-agent", dependencies: ["FjordAgent", "FjordRuntime"],
                          path: "Services/Agent/Executable", swiftSettings: strict),
        .executableTarget(name: "fjord-gateway", dependencies: ["FjordGateway", "FjordRuntime"],
                          path: "Services/Gateway/Executable", swiftSettings: strict),
        .executableTarget(name: "fjord-ingester", dependencies: ["FjordIngester", "FjordRuntime"],
                          path: "Services/Ingester/Executable", swiftSettings: strict),
        .executableTarget(name: "fjord-querier", dependencies: ["FjordQuerier", "FjordRuntime"],
                          path: "Services/Querier/Executable", swiftSettings: strict),
        .executableTarget(name: "fjord-compactor", dependencies: ["FjordCompactor", "FjordRuntime"],
                          path: "Services/Compactor/Executable", swiftSettings: strict),
        .executableTarget(name: "fjord-ruler", dependencies: ["FjordRuler", "FjordRuntime"],
                          path: "Services/Ruler/Executable", swiftSettings: strict),
        .executableTarget(
            name: "fjord",
            dependencies: [
                "FjordDeletion", "FjordGateway", "FjordIngester", "FjordQuerier", "FjordCompactor", "FjordRuler", "FjordConfig",
                "FjordStorage", "FjordRuntime", "FjordAuth", "FjordModel",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Services/AllInOne", swiftSettings: strict
        ),

        // MARK: Benchmarks (hand-run; see docs/benchmarks.md)
        .executableTarget(
            name: "fjord-bench",
            dependencies: [
                "FjordPush", "FjordCompression", "FjordModel", "FjordWire", "FjordServiceAPI",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/FjordBench", swiftSettings: strict
        ),
        .executableTarget(
            name: "fjord-compaction-bench",
            dependencies: ["FjordCompactor", "FjordStorage", "FjordModel", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/CompactionBench", swiftSettings: strict
        ),
        .executableTarget(
            name: "fjord-pipeline-bench",
            dependencies: ["FjordEngine", "FjordLogQL", "FjordModel"],
            path: "Benchmarks/PipelineBench", swiftSettings: strict
        ),

        // MARK: Tests
        // The conformance harness (cases, Loki's answers, the data set, lcnorm's normalisation) shared by the engine
        // and integration tests; a regular library target so several test targets can depend on it.
        .target(
            name: "FjordConformanceKit", dependencies: ["FjordModel", "FjordCompression"],
            path: "Tests/ConformanceKit", swiftSettings: strict
        ),
        // Throwaway CAs and certificates (openssl CLI) for the TLS tests of the wire and HTTP layers.
        .target(name: "FjordTestCertificates", dependencies: ["FjordTestSupport"], path: "Tests/TestCertificates", swiftSettings: strict),
        .testTarget(name: "FjordModelTests", dependencies: ["FjordModel", "FjordRegex"], path: "Tests/FjordModelTests"),
        .testTarget(
            name: "FjordPushTests", dependencies: ["FjordPush", "FjordCompression"], path: "Tests/FjordPushTests",
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "FjordStorageTests", dependencies: ["FjordStorage"], path: "Tests/FjordStorageTests"),
        // Helpers for tests that need real servers (moto as the S3-compatible store).
        .target(name: "FjordTestSupport", path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(
            name: "FjordS3Tests", dependencies: ["FjordS3", "FjordStorage", "FjordModel", "FjordTestSupport"], path: "Tests/FjordS3Tests"
        ),
        .testTarget(name: "FjordWALTests", dependencies: ["FjordWAL"], path: "Tests/FjordWALTests"),
        .testTarget(
            name: "FjordLogQLTests", dependencies: ["FjordLogQL", "FjordConformanceKit"], path: "Tests/FjordLogQLTests"
        ),
        .testTarget(name: "FjordPipelineTests", dependencies: ["FjordPipeline"], path: "Tests/FjordPipelineTests"),
        .testTarget(
            name: "FjordEngineTests", dependencies: ["FjordEngine", "FjordLogQL", "FjordConformanceKit"],
            path: "Tests/FjordEngineTests"
        ),
        .testTarget(name: "FjordConfigTests", dependencies: ["FjordConfig"], path: "Tests/FjordConfigTests"),
        .testTarget(name: "FjordAuthTests", dependencies: ["FjordAuth"], path: "Tests/FjordAuthTests"),
        .testTarget(name: "FjordIngesterTests", dependencies: ["FjordIngester"], path: "Tests/FjordIngesterTests"),
        .testTarget(
            name: "FjordTailTests", dependencies: ["FjordTail", "FjordModel", "FjordServiceAPI", "FjordLogQL"],
            path: "Tests/FjordTailTests"
        ),
        .testTarget(
            name: "FjordCompactorTests",
            dependencies: [
                "FjordCompactor", "FjordStorage", "FjordModel", "FjordDeletion", "FjordServiceAPI", "FjordRuntime",
                "FjordConfig", "FjordS3", "FjordTestSupport", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/FjordCompactorTests"
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "FjordTestSupport",
                "FjordModel", "FjordPush", "FjordCompression", "FjordConformanceKit", "FjordWire", "FjordServiceAPI",
                "FjordRing", "FjordMemcached", "FjordQueryFrontend", "FjordTestCertificates",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/IntegrationTests"
        ),
        .testTarget(
            name: "FjordAgentTests", dependencies: ["FjordAgent", "FjordModel", "FjordPush", "FjordCompression"],
            path: "Tests/FjordAgentTests", resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "FjordLokiAPITests", dependencies: ["FjordLokiAPI"], path: "Tests/FjordLokiAPITests"),
        .testTarget(
            name: "FjordWireTests",
            dependencies: [
                "FjordWire", "FjordStorage", "FjordModel", "FjordServiceAPI", "FjordTail", "FjordTestCertificates", "FjordTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Tests/FjordWireTests"
        ),
        .testTarget(name: "FjordRingTests", dependencies: ["FjordRing", "FjordModel"], path: "Tests/FjordRingTests"),
        .testTarget(
            name: "FjordRulesTests", dependencies: ["FjordRules", "FjordModel", "FjordRing", "FjordCompression"],
            path: "Tests/FjordRulesTests"
        ),
        .testTarget(
            name: "FjordQueryFrontendTests",
            dependencies: [
                "FjordQueryFrontend", "FjordMemcached", "FjordEngine", "FjordLogQL", "FjordModel", "FjordServiceAPI",
                "FjordConformanceKit",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/FjordQueryFrontendTests"
        ),
        .testTarget(
            name: "FjordRulerTests",
            dependencies: ["FjordRuler", "FjordRules", "FjordModel", "FjordServiceAPI", .product(name: "Logging", package: "swift-log")],
            path: "Tests/FjordRulerTests"
        ),
    ],
    cxxLanguageStandard: .cxx17
)
