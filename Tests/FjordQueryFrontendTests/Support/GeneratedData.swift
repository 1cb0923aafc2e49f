import FjordConformanceKit
import FjordModel

/// A seeded data set for the split/cache property test: a few streams over six hours, logfmt lines with numeric
/// and sometimes non-numeric fields, timestamps on whole seconds so that streams often share a timestamp (the case
/// where evaluation order could leak into results), some structured metadata, and some exact duplicates.
enum GeneratedData {
    /// Start of the data (an hour boundary, Unix nanoseconds).
    static let base: Int64 = 1_699_999_200 * 1_000_000_000
    static let hour: Int64 = 3_600_000_000_000
    static let span: Int64 = 6 * hour

    static func source(seed: UInt64) -> MemoryLogSource {
        var random = SeededRandom(seed: seed)
        var builder = MemoryLogSource.Builder(blockSize: Int.random(in: 20...200, using: &random))
        let apps = ["api", "web", "db"]
        let envs = ["prod", "dev"]
        let levels = ["info", "warn", "error", "debug"]
        for app in apps {
            for env in envs where app != "db" || env == "prod" {
                let labels = Labels(["app": app, "env": env, "service_name": app])
                let count = Int.random(in: 80...250, using: &random)
                // Bursts: some periods are dense, others empty.
                let burstStart = Int64.random(in: 0..<span, using: &random)
                for index in 0..<count {
                    let offset: Int64
                    if index % 3 == 0 {
                        offset = (burstStart + Int64.random(in: 0..<(hour / 2), using: &random)) % span
                    } else {
                        offset = Int64.random(in: 0..<span, using: &random)
                    }
                    let time = base + offset / 1_000_000_000 * 1_000_000_000
                    let level = levels.randomElement(using: &random) ?? "info"
                    let latency = Int.random(in: 0..<40, using: &random) == 0
                        ? "abc" : String(Double(Int.random(in: 1...200_000, using: &random)) / 1000)
                    let size = Int.random(in: 0...5000, using: &random)
                    let line = "level=\(level) latency=\(latency) size=\(size) msg=\"\(app) request \(index)\""
                    var metadata = Labels()
                    if Int.random(in: 0..<4, using: &random) == 0 {
                        metadata = Labels(["trace_id": String(Int.random(in: 0..<5, using: &random))])
                    }
                    builder.add(labels: labels, time: time, line: line, metadata: metadata)
                    if Int.random(in: 0..<50, using: &random) == 0 {
                        builder.add(labels: labels, time: time, line: line, metadata: metadata)
                    }
                }
            }
        }
        return builder.build()
    }
}
