import Foundation
import Testing

/// Live tail against a real `fjord`: a WebSocket client on `/loki/api/v1/tail` gets the recent history, then the
/// lines pushed after it connected, in order, with the pipeline's labels; parameter errors are HTTP 400.
@Suite(.serialized) struct TailIntegrationTests {
    static func push(_ fjord: FjordProcess, app: String, _ lines: [(Int64, String)], tenant: String = "it-tail") async throws {
        let values = lines.map { [String($0.0), $0.1] }
        let body = try JSONSerialization.data(withJSONObject: ["streams": [["stream": ["app": app], "values": values]]])
        let (status, answer) = try await HTTP.request(
            "POST", fjord.baseURL + "/loki/api/v1/push",
            headers: ["X-Scope-OrgID": tenant, "Content-Type": "application/json"], body: body)
        #expect(status == 204, "\(String(decoding: answer, as: UTF8.self))")
    }

    /// A started `fjord` on a fresh data directory; ``stop(_:)`` ends it and removes the directory.
    static func started(_ arguments: [String] = []) async throws -> FjordProcess {
        let fjord = try FjordProcess(dataDirectory: try FjordProcess.makeDataDirectory(), arguments: arguments)
        try await fjord.start()
        return fjord
    }

    static func stop(_ fjord: FjordProcess) {
        fjord.stop()
        try? FileManager.default.removeItem(at: fjord.dataDirectory)
    }

    static func tailURL(_ fjord: FjordProcess, _ parameters: [(String, String)]) -> String {
        "ws://127.0.0.1:\(fjord.port)" + tailPath(parameters)
    }

    static func tailPath(_ parameters: [(String, String)]) -> String {
        "/loki/api/v1/tail?" + parameters.map { "\(HTTP.escape($0.0))=\(HTTP.escape($0.1))" }.joined(separator: "&")
    }

    @Test func historyThenLiveLinesInOrderWithPipelineLabels() async throws {
        let fjord = try await Self.started()
        defer { Self.stop(fjord) }
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        try await Self.push(fjord, app: "tail", [(now - 5_000_000_000, "keep n=0 phase=history")])

        let client = try TailClient(url: Self.tailURL(fjord, [("query", "{app=\"tail\"} |= \"keep\" | logfmt")]))
        defer { client.stop() }
        let gotHistory = await client.waitFor { !TailClient.entries($0).isEmpty }
        #expect(gotHistory, "no history frame: \(client.texts), \(client.endDescription)")
        let history = TailClient.entries(client.frames)
        #expect(history.map(\.line) == ["keep n=0 phase=history"], "\(client.texts)")

        // Live: separate pushes, one line the filter drops, one other stream that does not match.
        for index in 1...5 {
            try await Self.push(fjord, app: "tail", [(now + Int64(index) * 1_000_000, "keep n=\(index) phase=live")])
            if index == 3 { try await Self.push(fjord, app: "tail", [(now + 3_500_000, "skip n=99")]) }
        }
        try await Self.push(fjord, app: "other", [(now + 9_000_000, "keep n=100")])
        let complete = await client.waitFor { TailClient.entries($0).count >= 6 }
        #expect(complete, "frames: \(client.frames), \(client.endDescription)")
        let live = Array(TailClient.entries(client.frames).dropFirst())
        #expect(live.map(\.line) == (1...5).map { "keep n=\($0) phase=live" })
        #expect(live.map(\.ns) == (1...5).map { String(now + Int64($0) * 1_000_000) })
        for entry in live {
            #expect(entry.labels["app"] == "tail")
            #expect(entry.labels["phase"] == "live")
            #expect("keep n=\(entry.labels["n"] ?? "?") phase=live" == entry.line)
        }
        // Nothing else arrives (the other stream and the filtered line).
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(TailClient.entries(client.frames).count == 6)
    }

    @Test func delayForSortsLateEntriesAndLegacyPathUsesTheLegacyShape() async throws {
        let fjord = try await Self.started()
        defer { Self.stop(fjord) }
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        try await Self.push(fjord, app: "delay", [(now - 60_000_000_000, "old")])
        let delayed = try TailClient(url: Self.tailURL(fjord, [("query", "{app=\"delay\"}"), ("delay_for", "2")]))
        defer { delayed.stop() }
        let legacy = try TailClient(url: "ws://127.0.0.1:\(fjord.port)/api/prom/tail?query=" + HTTP.escape("{app=\"delay\"}"))
        defer { legacy.stop() }
        #expect(await delayed.waitFor { !TailClient.entries($0).isEmpty })
        #expect(await legacy.waitFor { !$0.isEmpty })
        // Pushed newest first: with delay_for they still go out oldest first.
        let sent = Int64(Date().timeIntervalSince1970 * 1e9)
        try await Self.push(fjord, app: "delay", [(sent - 100_000_000, "second")])
        try await Self.push(fjord, app: "delay", [(sent - 300_000_000, "first")])
        #expect(await delayed.waitFor { TailClient.entries($0).count >= 3 })
        #expect(TailClient.entries(delayed.frames).map(\.line) == ["old", "first", "second"])
        // Legacy frames: {"streams":[{"labels":"{…}","entries":[{"ts":"<RFC3339Nano>","line":"…"}]}],"dropped_entries":null}
        #expect(await legacy.waitFor { frames in
            frames.flatMap { ($0["streams"] as? [[String: Any]]) ?? [] }.flatMap { ($0["entries"] as? [[String: Any]]) ?? [] }.count >= 3
        })
        let first = try #require(legacy.frames.first)
        #expect(first.keys.sorted() == ["dropped_entries", "streams"])
        let stream = try #require((first["streams"] as? [[String: Any]])?.first)
        #expect((stream["labels"] as? String)?.contains("app=\"delay\"") == true)
        let entry = try #require((stream["entries"] as? [[String: Any]])?.first)
        #expect(entry["line"] as? String == "old")
        #expect((entry["ts"] as? String)?.hasSuffix("Z") == true)
    }

    @Test func parameterErrorsBeforeTheUpgrade() async throws {
        let fjord = try await Self.started()
        defer { Self.stop(fjord) }
        var (status, body) = try await HTTP.get(fjord.baseURL, "/loki/api/v1/tail",
                                                [("query", "{app=\"x\"}"), ("delay_for", "6")], tenant: "it-tail")
        #expect(status == 400)
        #expect(String(decoding: body, as: UTF8.self) == "delay_for can't be greater than 5")
        (status, body) = try await HTTP.get(fjord.baseURL, "/loki/api/v1/tail", [("query", "{app=\"x\"")], tenant: "it-tail")
        #expect(status == 400)
        #expect(String(decoding: body, as: UTF8.self).hasPrefix("parse error"))
        (status, body) = try await HTTP.get(fjord.baseURL, "/loki/api/v1/tail", [("query", "{app=\"x\"}")], tenant: "it-tail")
        #expect(status == 400)
        #expect(String(decoding: body, as: UTF8.self).contains("not using the websocket protocol"))
    }

    @Test func concurrentTailLimitClosesWith1011() async throws {
        let fjord = try await Self.started(["-querier.max-concurrent-tail-requests=1"])
        defer { Self.stop(fjord) }
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        try await Self.push(fjord, app: "limit", [(now - 1_000_000_000, "first")])
        let query = [("query", "{app=\"limit\"}")]
        let first = try TailClient(url: Self.tailURL(fjord, query))
        defer { first.stop() }
        #expect(await first.waitFor { !TailClient.entries($0).isEmpty }, "\(first.endDescription)")
        // The refusal comes right after the 101, which HummingbirdWSClient can miss: read it from a plain socket.
        let second = try await RawTailHandshake.open(port: fjord.port, path: Self.tailPath(query), tenant: "it-tail")
        #expect(second.statusLine.contains(" 101 "), "\(second)")
        #expect(second.closeCode == 1011, "\(second)")
        #expect(second.closeReason == "max concurrent tail requests limit exceeded, count > limit (2 > 1)")
        #expect(!first.ended, "\(first.endDescription)")
    }

    /// A client that stops reading for several seconds (pings unanswered) keeps its tail: once it reads again it gets
    /// the lines pushed meanwhile (its socket buffers held them), and new lines still flow. The server used to close
    /// such a tail with 1001 `Ping timeout` after one late pong.
    @Test func aClientThatStallsKeepsItsTailAndGetsEveryLine() async throws {
        let fjord = try await Self.started()
        defer { Self.stop(fjord) }
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        try await Self.push(fjord, app: "stall", [(now - 1_000_000_000, "n=0")])
        let client = try TailClient(url: Self.tailURL(fjord, [("query", "{app=\"stall\"}")]))
        defer { client.stop() }
        #expect(await client.waitFor { !TailClient.entries($0).isEmpty }, "no history: \(client.endDescription)")
        client.pause()
        for index in 1...8 {
            try await Self.push(fjord, app: "stall", [(now + Int64(index) * 1_000_000, "n=\(index)")])
            try await Task.sleep(nanoseconds: 500_000_000)
        }
        client.resume()
        let caughtUp = await client.waitFor { TailClient.entries($0).count >= 9 }
        #expect(caughtUp, "\(client.texts), \(client.endDescription)")
        try await Self.push(fjord, app: "stall", [(now + 1_000_000_000, "n=9")])
        #expect(await client.waitFor { TailClient.entries($0).count >= 10 }, "\(client.texts), \(client.endDescription)")
        #expect(TailClient.entries(client.frames).map(\.line) == (0...9).map { "n=\($0)" })
        #expect(TailClient.dropped(client.frames).isEmpty)
        #expect(!client.ended, "\(client.endDescription)")
    }

    /// A stalled client whose buffers overflow (tail buffer of 2 entries, megabytes pushed while it does not read)
    /// gets Loki's behaviour: the lines that fit, `dropped_entries` for lost ones, and the tail goes on.
    @Test func anOverflowingTailReportsDroppedEntriesAndKeepsFlowing() async throws {
        let fjord = try await Self.started([
            "-querier.tail-buffer-entries=2", "-distributor.ingestion-rate-limit-mb=1000",
            "-distributor.ingestion-burst-size-mb=1000", "-ingester.per-stream-rate-limit=1GB",
            "-ingester.per-stream-rate-limit-burst=1GB",
        ])
        defer { Self.stop(fjord) }
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        try await Self.push(fjord, app: "flood", [(now - 1_000_000_000, "before")])
        let client = try TailClient(url: Self.tailURL(fjord, [("query", "{app=\"flood\"}")]))
        defer { client.stop() }
        #expect(await client.waitFor { !TailClient.entries($0).isEmpty }, "no history: \(client.endDescription)")
        client.pause()
        // 24 MB: more than the sockets and the client's frame queue hold.
        let filler = String(repeating: "x", count: 200_000)
        let pushes = 12, perPush = 10
        for push in 0..<pushes {
            try await Self.push(fjord, app: "flood", (0..<perPush).map { index in
                let n = push * perPush + index
                return (now + Int64(n + 1) * 1_000, "n=\(n) \(filler)")
            })
        }
        client.resume()
        let reported = await client.waitFor { !TailClient.dropped($0).isEmpty }
        #expect(reported, "no dropped_entries; \(TailClient.entries(client.frames).count) entries, \(client.endDescription)")
        try await Self.push(fjord, app: "flood", [(now + 1_000_000_000, "after")])
        let flowing = await client.waitFor { TailClient.entries($0).last?.line == "after" }
        #expect(flowing, "\(TailClient.entries(client.frames).count) entries, \(client.endDescription)")

        let entries = TailClient.entries(client.frames)
        let numbers = entries.dropFirst().dropLast().compactMap { Int($0.line.dropFirst(2).prefix { $0 != " " }) }
        let dropped = TailClient.dropped(client.frames)
        #expect(numbers == numbers.sorted() && Set(numbers).count == numbers.count, "\(numbers)")
        #expect(numbers.count < pushes * perPush)
        #expect(numbers.count + dropped.count <= pushes * perPush)
        #expect(dropped.allSatisfy { $0.labels["app"] == "flood" })
        #expect(!client.ended, "\(client.endDescription)")
    }
}
