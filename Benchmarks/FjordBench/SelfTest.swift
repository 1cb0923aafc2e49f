import FjordModel
import FjordPush
import Foundation
import NIOCore
import NIOPosix

/// Offline checks of the benchmark's own pieces (`fjord-bench selftest`): the generator, the Promtail-shaped
/// encoding (decoded back with Fjord's push decoder), the byte formatting helpers, `/proc` parsing, and the NIO
/// client with retries against an in-process server. Prints one line per check and `N passed, M failed`.
struct SelfTest {
    private var passed = 0
    private var failed = 0

    private mutating func expect(_ condition: Bool, _ what: String) {
        if condition {
            passed += 1
            print("PASS \(what)")
        } else {
            failed += 1
            print("FAIL \(what)")
        }
    }

    /// Runs every check; returns whether all passed.
    mutating func run() async -> Bool {
        formatting()
        procParsing()
        let dataset = generator()
        encoding(dataset)
        await client(dataset)
        print("\(passed) passed, \(failed) failed")
        return failed == 0
    }

    private mutating func formatting() {
        var writer = ByteWriter()
        writer.appendISO(1_779_444_672_123_456_789, fractionDigits: 6)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let expected = formatter.string(from: Date(timeIntervalSince1970: 1_779_444_672)).dropLast() + ".123456Z"
        expect(String(decoding: writer.bytes, as: UTF8.self) == expected, "ISO time matches Foundation (\(expected))")
        writer = ByteWriter()
        writer.appendISO(1_709_164_800_004_000_000, fractionDigits: 3)
        expect(String(decoding: writer.bytes, as: UTF8.self) == "2024-02-29T00:00:00.004Z", "ISO time with milliseconds")
        writer = ByteWriter()
        writer.append(number: 12.0, decimals: 1); writer.append(" ")
        writer.append(number: 0.125, decimals: 6); writer.append(" ")
        writer.append(fixed: 7.25, decimals: 1); writer.append(" ")
        writer.append(int: 42, width: 4); writer.append(" ")
        writer.appendGoDuration(milliseconds: 1234.5); writer.append(" ")
        writer.appendGoDuration(milliseconds: 12.0); writer.append(" ")
        writer.appendJSONString("a\"b\\c\nd\u{1}é")
        let text = String(decoding: writer.bytes, as: UTF8.self)
        expect(text == #"12.0 0.125 7.3 0042 1.235s 12ms "a\"b\\c\nd\u0001é""#, "number, duration and JSON string formatting: \(text)")
        expect(URLQuery.escape(#"{a="b"} |= "x y"&z+"#) == "%7Ba%3D%22b%22%7D%20%7C%3D%20%22x%20y%22%26z%2B",
               "query parameters are percent-encoded")
        let apportioned = Dataset.apportion(10, weights: [1, 1, 1])
        expect(apportioned.reduce(0, +) == 10 && apportioned.max()! - apportioned.min()! <= 1, "apportion splits exactly")
    }

    private mutating func procParsing() {
        let stat = "1234 (my (odd) name) S 1 2 3 4 5 6 7 8 9 10 250 150 0 0 20 0 1 0"
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        expect(ProcFS.cpuSeconds(statLine: stat) == 400 / ticks, "utime + stime read after the command name")
        expect(ProcFS.statusKilobytes("Name:\tx\nVmHWM:\t  2048 kB\nVmRSS:\t 1024 kB\n", "VmHWM:") == 2048,
               "VmHWM read from /proc/PID/status")
        if let own = ProcFS.sample(pid: getpid()) {
            expect(own.rssBytes > 0 && own.peakRSSBytes >= own.rssBytes, "own process sampled from /proc")
        }
    }

    private mutating func generator() -> Dataset {
        let base: Int64 = 1_795_316_400
        let lines = 50_000
        let dataset = Dataset.generate(seed: 7, lines: lines, base: base)
        let again = Dataset.generate(seed: 7, lines: lines, base: base)
        let other = Dataset.generate(seed: 8, lines: lines, base: base)
        expect(dataset.arena == again.arena && dataset.entries.map(\.timestamp) == again.entries.map(\.timestamp),
               "the same seed gives the same data set")
        expect(dataset.arena != other.arena, "another seed gives another data set")
        expect(dataset.entries.count == lines, "exactly \(lines) lines (\(dataset.entries.count))")
        expect((200...280).contains(dataset.streams.count), "about 240 streams (\(dataset.streams.count))")
        let startNanos = base * 1_000_000_000
        expect(dataset.entries.allSatisfy { $0.timestamp > startNanos && $0.timestamp < startNanos + Dataset.span },
               "every entry lies inside (base, base + 3h)")
        var last = [Int64](repeating: 0, count: dataset.streams.count)
        var increasing = true
        var ordered = true
        var previous: DatasetEntry?
        for entry in dataset.entries {
            if entry.timestamp <= last[Int(entry.stream)] { increasing = false }
            last[Int(entry.stream)] = entry.timestamp
            if let previous, previous.timestamp > entry.timestamp { ordered = false }
            previous = entry
        }
        expect(increasing, "timestamps strictly increase within each stream (so no exact duplicates)")
        expect(ordered, "entries are in time order")
        let average = Double(dataset.lineBytes) / Double(lines)
        expect((250...360).contains(average), String(format: "average line length about 300 bytes (%.0f)", average))
        let tracebacks = Double(dataset.count(containing: "Traceback")) / Double(lines)
        expect((0.01...0.03).contains(tracebacks), String(format: "1-3%% of lines contain Traceback (%.2f%%)", tracebacks * 100))
        expect(dataset.count(containing: dataset.needle) == 1, "the needle \(dataset.needle) occurs in exactly one line")
        let docker = Double(dataset.count { $0["job"] == "docker-containers" }) / Double(lines)
        expect(docker > 0.75, String(format: "most lines are docker-containers (%.0f%%)", docker * 100))
        var jsonLines = 0
        var badJSON = 0
        for entry in dataset.entries.prefix(5000) where dataset.streams[Int(entry.stream)].kind == .structlog
            || dataset.streams[Int(entry.stream)].kind == .oneiric {
            let line = dataset.line(entry)
            guard line.first == UInt8(ascii: "{") else { continue }
            jsonLines += 1
            if (try? JSONSerialization.jsonObject(with: Data(line))) == nil {
                badJSON += 1
                if badJSON == 1 { print("  invalid JSON: \(String(decoding: line, as: UTF8.self))") }
            }
        }
        expect(jsonLines > 1000 && badJSON == 0, "structlog and oneiric JSON lines parse (\(jsonLines) checked)")
        let hasMetadata = dataset.entries.contains { $0.metadata >= 0 }
        expect(hasMetadata, "litellm entries carry structured metadata")
        return dataset
    }

    private mutating func encoding(_ dataset: Dataset) {
        let contents = PushBatches.contents(dataset, batchSize: 1000)
        let encoded = PushBatches.encode(dataset, batchSize: 1000)
        expect(contents.count == encoded.count && encoded.count == (dataset.entries.count + 999) / 1000,
               "\(encoded.count) requests of up to 1000 lines")
        expect(encoded.reduce(0) { $0 + $1.lines } == dataset.entries.count
               && encoded.reduce(0) { $0 + $1.lineBytes } == dataset.lineBytes, "requests carry every line once")
        var decodedAll = true
        var uniqueStreams = true
        for (content, push) in zip(contents, encoded) {
            guard let request = try? PushBodyDecoder.decode(body: push.body, contentType: "application/x-protobuf",
                                                            contentEncoding: nil) else {
                decodedAll = false
                break
            }
            if request.content != content { decodedAll = false }
            if Set(content.map(\.labels)).count != content.count { uniqueStreams = false }
        }
        expect(decodedAll, "every request decodes (snappy + protobuf) back to what was encoded")
        expect(uniqueStreams, "each request groups entries by stream")
        let labels = contents.first?.first?.labels ?? ""
        expect((try? LabelParser.parse(labels)) != nil, "stream labels parse: \(labels)")
    }

    private mutating func client(_ dataset: Dataset) async {
        let group = MultiThreadedEventLoopGroup.singleton
        do {
            let server = try await SelfTestServer.start(group: group)
            let address = ServerAddress(host: "127.0.0.1", port: server.port, tenant: "bench")
            let encoded = Array(PushBatches.encode(dataset, batchSize: 1000).prefix(12))
            var pusher = Pusher(address: address, group: group)
            pusher.concurrency = 3
            pusher.retry.firstDelay = 0.01
            let stats = await pusher.push(encoded)
            let received = server.state.snapshot
            expect(stats.requests == 12 && stats.errorCount == 0 && stats.retries == 1,
                   "12 pushes over 3 connections, the 429 retried once (requests \(stats.requests), retries \(stats.retries), errors \(stats.errorCount))")
            expect(Set(received.pushBodies.map { $0 }) == Set(encoded.map(\.body)),
                   "the server received exactly the encoded bodies")
            expect(received.pushContentTypes.allSatisfy { $0 == "application/x-protobuf" }, "Content-Type application/x-protobuf")
            expect(stats.lines == encoded.reduce(0) { $0 + $1.lines }, "pushed lines counted")
            var runner = QueryRunner(address: address, group: group)
            let good = await runner.time(BenchQuery(id: "q", query: #"{a="b"} |= "Traceback""#, limit: 10, step: nil),
                                         start: 1, end: 2, repeats: 3)
            expect(good.error == nil && good.runsMilliseconds.count == 3 && good.result?.entriesOrPoints == 2,
                   "query timed 3 times and its answer parsed (\(good.result.map(String.init(describing:)) ?? "none"))")
            let bad = await runner.time(BenchQuery(id: "u", query: "unsupported", limit: nil, step: "60s"),
                                        start: 1, end: 2, repeats: 3)
            expect(bad.status == 400 && bad.error != nil && bad.runsMilliseconds.isEmpty,
                   "an error answer skips the query with its text (\(bad.error ?? ""))")
            let query = server.state.snapshot.queries.first ?? ""
            expect(query.contains("query=%7Ba%3D%22b%22%7D%20%7C%3D%20%22Traceback%22") && query.contains("limit=10"),
                   "query parameters sent URL-encoded")
            expect(server.state.snapshot.tenants.allSatisfy { $0 == "bench" }, "X-Scope-OrgID sent on every request")
            await runner.close()
            await server.stop()
        } catch {
            expect(false, "client checks: \(error)")
        }
    }
}
