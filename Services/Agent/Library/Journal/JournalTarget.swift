import Foundation
import Logging

/// Turns journal entries (`journalctl -o json` lines) into agent entries, the way Promtail's journal target does:
/// every field `F` becomes the discovery label `__journal_<f lowercased>` (plus `__journal_priority_keyword`), the
/// line is `MESSAGE` (or, with `json: true`, all fields as a JSON object), the time `__REALTIME_TIMESTAMP`. Pure.
public enum JournalEntries {
    static let priorities = ["emerg", "alert", "crit", "error", "warning", "notice", "info", "debug"]

    /// One parsed entry: labels before relabelling, line, time, cursor.
    public struct Parsed: Sendable {
        public var labels: [String: String]
        public var line: String
        public var timestamp: Int64?
        public var cursor: String
    }

    public static func parse(_ text: String, json: Bool, labels configured: [String: String]) -> Parsed? {
        guard let value = try? JSONParser.parse(text), let fields = value.objectMembers else { return nil }
        var labels = configured
        var userFields: [(String, JSONValue)] = []
        for (name, field) in fields {
            let fieldText = fieldString(field)
            labels["__journal_" + name.lowercased()] = fieldText
            if !name.hasPrefix("__") { userFields.append((name, .string(fieldText))) }
        }
        if let priority = value["PRIORITY"].map(fieldString), let number = Int(priority), priorities.indices.contains(number) {
            labels["__journal_priority_keyword"] = priorities[number]
        }
        let line = json ? JSONValue.object(userFields).json : value["MESSAGE"].map(fieldString) ?? ""
        let timestamp = value["__REALTIME_TIMESTAMP"].map(fieldString).flatMap { Int64($0) }.map { $0 * 1_000 }
        return Parsed(labels: labels, line: line, timestamp: timestamp, cursor: value["__CURSOR"]?.stringValue ?? "")
    }

    /// journalctl writes binary fields as arrays of byte values.
    static func fieldString(_ value: JSONValue) -> String {
        if let items = value.arrayValue {
            let bytes = items.compactMap { item -> UInt8? in
                if case .number(let text) = item { return UInt8(text) }
                return nil
            }
            if bytes.count == items.count { return String(decoding: bytes, as: UTF8.self) }
        }
        return value.text
    }

    /// journalctl's arguments: follow in JSON from the saved cursor, or from `max_age` ago.
    public static func arguments(config: JournalConfig, cursor: String?, now: Int64) -> [String] {
        var arguments = ["--follow", "--output=json", "--no-pager", "--all"]
        if !config.path.isEmpty { arguments.append("--directory=\(config.path)") }
        if let cursor, !cursor.isEmpty {
            arguments.append("--after-cursor=\(cursor)")
        } else {
            arguments.append("--since=@\(max(0, now - config.maxAgeNanos) / 1_000_000_000)")
        }
        arguments += config.matches.split(separator: " ").map(String.init)
        return arguments
    }
}

/// A scrape config's `journal:` source: runs `journalctl -o json --follow` (found on `PATH`), one entry per line,
/// relabelled per entry; the position is the journal cursor of the last acknowledged entry, under
/// `journal-<job_name>` as in Promtail. journalctl is started again (from the saved cursor) when it exits.
struct JournalTarget: Sendable {
    let scrape: ScrapeConfig
    let config: JournalConfig
    let context: SourceContext

    var key: String { "journal-" + scrape.jobName }

    func run() async {
        await context.registry.register("journal:" + scrape.jobName,
                                        TargetInfo(job: scrape.jobName, kind: "journal", name: config.path.isEmpty ? "journal" : config.path,
                                                   labels: config.labels, state: "ready"))
        let stored = await context.positions.stored(key)?.value
        let source = await context.positions.open(start: ResumePoint(key: key, value: stored ?? ""))
        let state = JournalState(scrape: scrape, config: config, source: source, key: key, context: context,
                                 cursor: stored)
        let ticker = Task {
            while await pause(context.pollNanos) { await state.tick() }
        }
        defer { ticker.cancel() }
        while !Task.isCancelled {
            context.logger.debug("journal source (re)starting journalctl")
            let arguments = JournalEntries.arguments(config: config, cursor: await state.cursor, now: context.clock())
            await context.registry.setState("journal:" + scrape.jobName, "ready")
            do {
                try await JournalProcess.run(arguments: arguments, logger: context.logger) { lines in await state.handle(lines) }
            } catch {
                await context.registry.setState("journal:" + scrape.jobName, "failed: \(error)")
                context.logger.warning("journalctl failed", metadata: ["error": "\(error)"])
            }
            if !(await pause(5_000_000_000)) { break }
        }
        context.logger.debug("journal source stopping")
        await state.finish()
    }
}

/// The pipeline and cursor of a journal source.
actor JournalState {
    let scrape: ScrapeConfig
    let config: JournalConfig
    let source: Int
    let key: String
    let context: SourceContext
    let pipeline: AgentPipeline
    private(set) var cursor: String?

    init(scrape: ScrapeConfig, config: JournalConfig, source: Int, key: String, context: SourceContext, cursor: String?) {
        self.scrape = scrape
        self.config = config
        self.source = source
        self.key = key
        self.context = context
        self.cursor = cursor
        pipeline = AgentPipeline(scrape.pipelineStages)
    }

    func handle(_ lines: [String]) async {
        let now = context.clock()
        let parsed = lines.compactMap { JournalEntries.parse($0, json: config.json, labels: config.labels) }
        guard !parsed.isEmpty else { return }
        let first = await context.positions.read(source: source, points: parsed.map { ResumePoint(key: key, value: $0.cursor) })
        var output = PipelineOutput()
        for (index, entry) in parsed.enumerated() {
            let seq = first + UInt64(index)
            let token = AckToken(source: source, first: seq, last: seq)
            guard let labels = Relabeler.process(entry.labels, scrape.relabelConfigs) else {
                await context.positions.acknowledge([token], all: true)
                continue
            }
            let result = pipeline.process(AgentEntry(labels: labels.filter { !$0.key.hasPrefix("__") },
                                                     timestamp: entry.timestamp ?? now, line: entry.line, ack: token), now: now)
            output.entries += result.entries
            output.dropped += result.dropped
        }
        cursor = parsed.last?.cursor ?? cursor
        await context.router.deliver(output)
    }

    func tick() async {
        await context.router.deliver(pipeline.flush(now: context.clock(), force: false))
    }

    func finish() async {
        await context.router.deliver(pipeline.flush(now: context.clock(), force: true))
    }
}

/// Runs `journalctl` and hands its output over line by line. When the task is cancelled (or the output ends) the
/// process gets SIGTERM, and SIGKILL if it is still there a second later.
enum JournalProcess {
    static func run(arguments: [String], logger: Logger,
                    handle: @escaping @Sendable ([String]) async -> Void) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["journalctl"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let pid = process.processIdentifier
        logger.debug("journalctl started", metadata: ["pid": "\(pid)", "arguments": "\(arguments)"])
        let (chunks, continuation) = AsyncStream.makeStream(of: Data.self)
        let reader = pipe.fileHandleForReading
        let thread = Thread {
            while true {
                let data = reader.availableData
                if data.isEmpty { break }
                continuation.yield(data)
            }
            continuation.finish()
        }
        thread.start()
        await withTaskCancellationHandler {
            var pending: [UInt8] = []
            for await chunk in chunks {
                pending += chunk
                guard let lastNewline = pending.lastIndex(of: 0x0A) else { continue }
                let lines = pending[..<lastNewline].split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
                pending.removeFirst(lastNewline + 1)
                await handle(lines)
                if Task.isCancelled { break }
            }
        } onCancel: {
            kill(pid, SIGTERM)
        }
        logger.debug("journalctl output ended", metadata: ["pid": "\(pid)", "cancelled": "\(Task.isCancelled)"])
        kill(pid, SIGTERM)
        for _ in 0..<20 where process.isRunning {
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        if process.isRunning { kill(pid, SIGKILL) }
        if !Task.isCancelled, process.terminationReason == .exit, process.terminationStatus != 0 {
            throw JournalError("journalctl exited with status \(process.terminationStatus)")
        }
    }
}

/// journalctl could not be run or failed.
struct JournalError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
