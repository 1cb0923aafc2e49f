import FjordConformanceKit
import FjordModel
import FjordPush
import Foundation
import Testing

/// Real `fjord` processes loaded with the conformance data set, one per ``Phase``, started on first use and stopped
/// when the conformance suite ends (``ConformanceServerScope``).
actor ConformanceServers {
    /// Where the queried data lives.
    enum Phase: String, Sendable, CaseIterable, CustomTestStringConvertible {
        /// Pushed and answered from the ingester's memory.
        case memory
        /// Pushed, then `POST /flush`ed: answered from the chunk store.
        case store

        var testDescription: String { rawValue }
    }

    /// A started server holding the data set.
    struct Server: Sendable {
        let url: String
        /// BASE in Unix nanoseconds.
        let base: Int64
    }

    static let shared = ConformanceServers()

    /// The flags the harness needs (lokicompat README, "Oracle configuration"); auth stays on.
    static let arguments = [
        "-querier.multi-tenant-queries-enabled=true", "-validation.reject-old-samples=false",
        "-validation.discover-service-name=", "-validation.discover-log-levels=false",
        "-validation.max-entries-limit=100000", "-querier.max-query-series=100000", "-querier.max-query-length=0",
        "-querier.query-timeout=5m", "-distributor.ingestion-rate-limit-mb=10000",
        "-distributor.ingestion-burst-size-mb=20000", "-ingester.per-stream-rate-limit=1GB",
        "-ingester.per-stream-rate-limit-burst=2GB", "-ingester.max-global-streams-per-user=0",
    ]

    /// Entries per push request.
    static let batchSize = 2000

    private var servers: [Phase: Task<Server, any Error>] = [:]
    private var processes: [FjordProcess] = []

    /// The server of `phase`, started and loaded on the first call.
    func server(_ phase: Phase) async throws -> Server {
        if let task = servers[phase] { return try await task.value }
        let task = Task { try await self.start(phase) }
        servers[phase] = task
        return try await task.value
    }

    /// Stops every started server and removes its data directory.
    func stopAll() {
        for process in processes {
            process.stop()
            try? FileManager.default.removeItem(at: process.dataDirectory)
        }
        processes = []
        servers = [:]
    }

    private func start(_ phase: Phase) async throws -> Server {
        let data = try await ConformanceData.shared.value
        let directory = try FjordProcess.makeDataDirectory()
        let process = try FjordProcess(dataDirectory: directory, arguments: Self.arguments)
        processes.append(process)
        try await process.start()
        for (tenant, streams) in data.streams.sorted(by: { $0.key < $1.key }) {
            for body in try await OwnThread.run({ Self.pushBodies(streams) }) {
                let (status, answer) = try await HTTP.request(
                    "POST", process.baseURL + "/loki/api/v1/push",
                    headers: ["Content-Type": "application/x-protobuf", "X-Scope-OrgID": tenant], body: body)
                guard status == 204 else {
                    throw FjordTestError("push for \(tenant) answered \(status): \(String(decoding: answer, as: UTF8.self))")
                }
            }
        }
        if phase == .store {
            let (status, answer) = try await HTTP.request("POST", process.baseURL + "/flush")
            guard status == 204 else {
                throw FjordTestError("POST /flush answered \(status): \(String(decoding: answer, as: UTF8.self))")
            }
        }
        return Server(url: process.baseURL, base: data.base)
    }

    /// Protobuf + snappy bodies of about ``batchSize`` entries, streams in order and each stream's entries in time
    /// order; entries sharing a timestamp never straddle two requests (so exact duplicates meet in one request, like
    /// lcpush sends them).
    static func pushBodies(_ streams: [ConformanceData.Stream]) -> [Data] {
        var bodies: [Data] = []
        var pending: [PushStreamContent] = []
        var pendingCount = 0
        func flush() {
            if !pending.isEmpty { bodies.append(Data(PushProtobufEncoder.encodeSnappy(pending))) }
            pending = []
            pendingCount = 0
        }
        for stream in streams {
            let labels = stream.labels.canonicalString
            var index = 0
            while index < stream.entries.count {
                var end = min(index + max(1, batchSize - pendingCount), stream.entries.count)
                while end < stream.entries.count, stream.entries[end].time == stream.entries[end - 1].time { end += 1 }
                pending.append(PushStreamContent(labels: labels, entries: stream.entries[index..<end].map { entry in
                    PushEntryContent(timestamp: entry.time, line: entry.line,
                                     metadata: Array(entry.metadata))
                }))
                pendingCount += end - index
                index = end
                if pendingCount >= batchSize { flush() }
            }
        }
        flush()
        return bodies
    }
}

/// Runs the conformance suite between starting nothing and stopping every server it started.
struct ConformanceServerScope: SuiteTrait, TestScoping {
    func provideScope(for test: Test, testCase: Test.Case?,
                      performing function: @Sendable () async throws -> Void) async throws {
        do {
            try await function()
        } catch {
            await ConformanceServers.shared.stopAll()
            throw error
        }
        await ConformanceServers.shared.stopAll()
    }
}
