import FjordCompactor
import FjordConfig
import FjordModel
import FjordRuntime
import Foundation
import Logging
import ServiceLifecycle
import Testing

@Suite struct RuntimeOverridesTests {
    @Test func retentionFollowsTheOverridesFileWithoutRestart() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fjord-overrides-\(UUID().uuidString).yaml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "overrides:\n  a:\n    retention_period: 48h\n".write(toFile: path, atomically: true, encoding: .utf8)
        var config = FjordConfiguration()
        config.limits.retentionPeriodNanos = 30 * 24 * 3_600_000_000_000
        config.runtimeConfig.file = path
        config.runtimeConfig.periodNanos = 5_000_000
        let limits = try TenantLimits.load(config)
        #expect(RetentionPolicy(limits: limits.limits("a")).period == 48 * 3_600_000_000_000)
        #expect(RetentionPolicy(limits: limits.limits("b")).period == 30 * 24 * 3_600_000_000_000)

        let reloader = RuntimeConfigReloader(config: config, limits: limits, logger: Logger(label: "test"))
        let task = Task { try await reloader.run() }
        defer { task.cancel() }
        try "overrides:\n  b:\n    retention_stream:\n      - selector: '{env=\"dev\"}'\n        priority: 2\n        period: 24h\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        var policy = RetentionPolicy(limits: limits.limits("b"))
        for _ in 0..<2000 where policy.streams.isEmpty {
            try await Task.sleep(nanoseconds: 5_000_000)
            policy = RetentionPolicy(limits: limits.limits("b"))
        }
        #expect(policy.period(for: Labels(["env": "dev"])) == 24 * 3_600_000_000_000)
        #expect(RetentionPolicy(limits: limits.limits("a")).period == 30 * 24 * 3_600_000_000_000)
        // A broken file keeps the last good overrides.
        try "overrides: [".write(toFile: path, atomically: true, encoding: .utf8)
        try await Task.sleep(nanoseconds: 50_000_000)
        #expect(RetentionPolicy(limits: limits.limits("b")).streams.count == 1)
    }
}
