import FjordConformanceKit
import FjordModel

/// The conformance data set (``ConformanceData``) as an in-memory ``LogSource`` for the engine.
struct ConformanceDataset: Sendable {
    let base: Int64
    let source: MemoryLogSource

    /// Built once per test process, on a thread of its own, and shared by every test that needs it.
    static let shared = Computed {
        let data = try await ConformanceData.shared.value
        return try await OwnThread.run {
            var builder = MemoryLogSource.Builder(blockSize: 512)
            for (tenant, streams) in data.streams {
                for stream in streams {
                    for entry in stream.entries {
                        builder.add(tenant: tenant, labels: stream.labels, time: entry.time, line: entry.line,
                                    metadata: entry.metadata)
                    }
                }
            }
            return ConformanceDataset(base: data.base, source: builder.build())
        }
    }
}
