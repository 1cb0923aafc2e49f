/// Follows one container's logs (`GET /containers/{id}/logs?follow=1&stdout=1&stderr=1&timestamps=1&since=…`) from
/// the position saved for it (the timestamp of the last acknowledged line; from the start for a container never
/// seen), with each stream's labels relabelled (`__meta_docker_container_log_stream` is `stdout` or `stderr`).
struct DockerContainerTarget: Sendable {
    let id: String
    let meta: [String: String]
    let scrape: ScrapeConfig
    let client: DockerEngineClient
    let context: SourceContext

    var key: String { "docker/" + id }

    func run() async {
        let tty: Bool
        do {
            tty = (try await client.getJSON("/containers/\(id)/json"))["Config"]?["Tty"] == .bool(true)
        } catch {
            context.logger.warning("cannot inspect container", metadata: ["id": "\(id)", "error": "\(error)"])
            return
        }
        var labelsByStream: [String: [String: String]] = [:]
        for stream in ["stdout", "stderr"] {
            var labels = meta
            labels["__meta_docker_container_log_stream"] = stream
            if let relabelled = Relabeler.process(labels, scrape.relabelConfigs) {
                labelsByStream[stream] = relabelled.filter { !$0.key.hasPrefix("__") }
            }
        }
        let stored = await context.positions.stored(key).flatMap { Int64($0.value) } ?? 0
        let source = await context.positions.open(start: ResumePoint(key: key, value: String(stored)))
        let since = stored > 0 ? "\(stored / 1_000_000_000).\(String(format9(stored % 1_000_000_000)))" : "0"
        let state = ContainerLogState(stages: scrape.pipelineStages, labelsByStream: labelsByStream, after: stored,
                                      tty: tty, source: source, key: key, context: context)
        context.logger.info("following container logs", metadata: ["id": "\(id)", "since": "\(since)", "tty": "\(tty)"])
        let ticker = Task {
            while await pause(context.pollNanos) { await state.tick() }
        }
        defer { ticker.cancel() }
        do {
            let stream = try await client.stream(
                "/containers/\(id)/logs?follow=1&stdout=1&stderr=1&timestamps=1&since=\(since)")
            for try await part in stream {
                switch part {
                case .head(let status) where !(200..<300).contains(status):
                    context.logger.warning("cannot read container logs", metadata: ["id": "\(id)", "status": "\(status)"])
                    await state.finish()
                    return
                case .head:
                    continue
                case .body(let bytes):
                    await state.feed(bytes)
                }
            }
        } catch {
            context.logger.warning("container log stream failed", metadata: ["id": "\(id)", "error": "\(error)"])
        }
        await state.finish()
        context.logger.info("container log stream ended", metadata: ["id": "\(id)"])
    }

    private func format9(_ value: Int64) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, 9 - text.count)) + text
    }
}

/// The per-container state behind ``DockerContainerTarget``: demultiplexing, the pipeline, the positions.
actor ContainerLogState {
    private var demuxer: DockerLogDemuxer
    private let pipeline: AgentPipeline
    private let labelsByStream: [String: [String: String]]
    private var after: Int64
    private let source: Int
    private let key: String
    private let context: SourceContext

    init(stages: [StageConfig], labelsByStream: [String: [String: String]], after: Int64, tty: Bool, source: Int,
         key: String, context: SourceContext) {
        demuxer = DockerLogDemuxer(tty: tty)
        pipeline = AgentPipeline(stages)
        self.labelsByStream = labelsByStream
        self.after = after
        self.source = source
        self.key = key
        self.context = context
    }

    func feed(_ bytes: [UInt8]) async {
        await handle(demuxer.feed(bytes))
    }

    func tick() async {
        await context.router.deliver(pipeline.flush(now: context.clock(), force: false))
    }

    func finish() async {
        await handle(demuxer.finish())
        await context.router.deliver(pipeline.flush(now: context.clock(), force: true))
    }

    private func handle(_ lines: [DockerLogDemuxer.Line]) async {
        let now = context.clock()
        // `since` is inclusive: lines at or before the saved position were sent before.
        let fresh = lines.filter { ($0.timestamp ?? now) > after }
        guard !fresh.isEmpty else { return }
        let points = fresh.map { ResumePoint(key: key, value: String($0.timestamp ?? now)) }
        let first = await context.positions.read(source: source, points: points)
        var output = PipelineOutput()
        for (index, line) in fresh.enumerated() {
            let seq = first + UInt64(index)
            let token = AckToken(source: source, first: seq, last: seq)
            guard let labels = labelsByStream[line.stream] else {
                // Relabelling dropped this stream: the line is handled.
                await context.positions.acknowledge([token], all: true)
                continue
            }
            let result = pipeline.process(AgentEntry(labels: labels, timestamp: line.timestamp ?? now, line: line.text,
                                                     ack: token), now: now)
            output.entries += result.entries
            output.dropped += result.dropped
        }
        if let last = fresh.last?.timestamp { after = max(after, last) }
        await context.router.deliver(output)
    }
}
