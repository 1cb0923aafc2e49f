import FjordModel
import Testing
@testable import FjordWAL

@Suite("WAL concurrent appenders")
struct ConcurrencyTests {
    /// A one-stream record naming its appender and its index in that appender's sequence.
    private func record(appender: Int, index: Int) -> WALRecord {
        var batch = EntryBatch()
        for entry in 0..<(1 + index % 5) {
            batch.append(timestamp: Int64(index * 10 + entry), line: Array("appender \(appender) record \(index) entry \(entry) some padding text".utf8))
        }
        let labels = Labels(["appender": String(appender)])
        return .entries(WALEntriesRecord(tenant: "t\(appender % 2)", streams: [
            WALStream(labels: labels, counterBefore: UInt64(index), entries: batch),
        ]))
    }

    @Test("concurrent appenders: every acknowledged record is replayed, each appender's order is kept",
          arguments: [WALFsyncPolicy.always, .interval(milliseconds: 2)])
    func concurrentAppenders(policy: WALFsyncPolicy) async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let appenders = 6
        let perAppender = 150
        let writer = try WALWriter(directory: dir.path, options: WALOptions(segmentSize: 16 << 10, fsync: policy))
        let tickets = try await withThrowingTaskGroup(of: [WALTicket].self) { group in
            for appender in 0..<appenders {
                group.addTask {
                    var tickets: [WALTicket] = []
                    for index in 0..<perAppender {
                        // Some appenders wait for each record (like a push), others pipeline several.
                        let ticket = try writer.append(self.record(appender: appender, index: index))
                        if appender % 2 == 0 || index % 10 == 9 { try await writer.durable(ticket) }
                        tickets.append(ticket)
                    }
                    try await writer.durable(tickets.last!)
                    return tickets
                }
            }
            var all: [[WALTicket]] = []
            for try await tickets in group { all.append(tickets) }
            return all
        }
        for perTask in tickets {
            #expect(zip(perTask, perTask.dropFirst()).allSatisfy { $0.sequence < $1.sequence })
        }
        let allSequences = tickets.flatMap { $0 }.map(\.sequence).sorted()
        #expect(allSequences == Array(1...UInt64(appenders * perAppender)))
        #expect(writer.stats.bufferedBytes == 0)
        try await writer.close()

        let (replayed, report) = try replayAll(dir.path)
        #expect(report.problems == [])
        #expect(replayed.count == appenders * perAppender)
        var seen = [[Int]](repeating: [], count: appenders)
        for (image, _) in replayed {
            let stream = image.streams[0]
            let appender = Int(stream.labels.dropFirst("{appender=\"".count).prefix { $0 != "\"" })!
            seen[appender].append(Int(stream.counterBefore))
        }
        for appender in 0..<appenders { #expect(seen[appender] == Array(0..<perAppender)) }
        // The log order is the ticket order.
        let order = tickets.flatMap { $0 }.sorted().map(\.segment)
        #expect(replayed.map(\.position.segment) == order)
    }

    @Test("appends from many threads while the writer closes either succeed durably or throw closed")
    func closeUnderLoad() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let writer = try WALWriter(directory: dir.path)
        let accepted = try await withThrowingTaskGroup(of: Int.self) { group in
            for appender in 0..<4 {
                group.addTask {
                    var accepted = 0
                    for index in 0..<500 {
                        do {
                            let ticket = try writer.append(self.record(appender: appender, index: index))
                            try await writer.durable(ticket)
                            accepted += 1
                        } catch let error as WALError {
                            #expect(error == .closed)
                            break
                        }
                    }
                    return accepted
                }
            }
            group.addTask {
                await Task.yield()
                try await writer.close()
                return 0
            }
            return try await group.reduce(0, +)
        }
        let (replayed, report) = try replayAll(dir.path)
        #expect(report.problems == [])
        #expect(replayed.count >= accepted)
    }
}
