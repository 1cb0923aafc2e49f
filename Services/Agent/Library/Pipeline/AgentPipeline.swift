/// What one run of the pipeline produced: entries to send, and entries stages dropped with the reason to count.
public struct PipelineOutput: Sendable {
    public var entries: [AgentEntry] = []
    public var dropped: [(entry: AgentEntry, reason: String)] = []
    public init() {}
}

/// Shared state of one pipeline run.
final class StageContext {
    var now: Int64
    var output = PipelineOutput()
    let random: () -> Double

    init(now: Int64, random: @escaping () -> Double) {
        self.now = now
        self.random = random
    }

    func drop(_ entry: AgentEntry, reason: String) { output.dropped.append((entry, reason)) }
}

/// One compiled stage. `process` hands 0…n entries to `next`; stateful stages hold entries back and release them in
/// `flush` (on their timeout, or all of them when `force`).
protocol AgentStage: AnyObject {
    func process(_ entry: AgentEntry, _ context: StageContext, _ next: (AgentEntry) -> Void)
    func flush(force: Bool, _ context: StageContext, _ next: (AgentEntry) -> Void)
}

extension AgentStage {
    func flush(force: Bool, _ context: StageContext, _ next: (AgentEntry) -> Void) {}
}

/// A target's pipeline: Promtail's `pipeline_stages` compiled for one source. Pure: time comes in as `now`, the
/// random numbers `drop_ratio` uses from the injected generator.
public final class AgentPipeline {
    let stages: [any AgentStage]
    let random: () -> Double

    public init(_ configs: [StageConfig], random: @escaping () -> Double = { Double.random(in: 0..<1) }) {
        stages = configs.map { AgentPipeline.make($0, random: random) }
        self.random = random
    }

    /// Runs one entry through the stages.
    public func process(_ entry: AgentEntry, now: Int64) -> PipelineOutput {
        let context = StageContext(now: now, random: random)
        run(entry, from: 0, context) { context.output.entries.append($0) }
        return context.output
    }

    /// Releases entries stages held back longer than their wait time (or all of them when `force`).
    public func flush(now: Int64, force: Bool) -> PipelineOutput {
        let context = StageContext(now: now, random: random)
        flush(force: force, context) { context.output.entries.append($0) }
        return context.output
    }

    func run(_ entry: AgentEntry, from index: Int, _ context: StageContext, _ sink: (AgentEntry) -> Void) {
        guard index < stages.count else {
            sink(entry)
            return
        }
        stages[index].process(entry, context) { run($0, from: index + 1, context, sink) }
    }

    func flush(force: Bool, _ context: StageContext, _ sink: (AgentEntry) -> Void) {
        for index in stages.indices {
            stages[index].flush(force: force, context) { run($0, from: index + 1, context, sink) }
        }
    }

    static func make(_ config: StageConfig, random: @escaping () -> Double) -> any AgentStage {
        switch config {
        case .docker: return DockerStage()
        case .cri(let maxLines, let maxSize): return CRIStage(maxPartialLines: maxLines, maxPartialLineSize: maxSize)
        case .json(let expressions, let source, let dropMalformed):
            return JSONStage(expressions: expressions, source: source, dropMalformed: dropMalformed)
        case .logfmt(let mapping, let source): return LogfmtStage(mapping: mapping, source: source)
        case .regex(let regex, let source): return RegexStage(regex: regex, source: source)
        case .labels(let pairs): return LabelsStage(pairs: pairs, toMetadata: false)
        case .structuredMetadata(let pairs): return LabelsStage(pairs: pairs, toMetadata: true)
        case .timestamp(let config): return TimestampStage(config)
        case .output(let source): return OutputStage(source: source)
        case .template(let source, let template): return TemplateStage(source: source, template: template)
        case .staticLabels(let pairs): return StaticLabelsStage(pairs: pairs)
        case .labelDrop(let names): return LabelFilterStage(names: Set(names), keep: false)
        case .labelAllow(let names): return LabelFilterStage(names: Set(names), keep: true)
        case .match(let config): return MatchStage(config, random: random)
        case .drop(let config): return DropStage(config)
        case .multiline(let config): return MultilineStage(config)
        case .tenant(let config): return TenantStage(config)
        case .decolorize: return DecolorizeStage()
        case .ignoredMetrics: return PassStage()
        }
    }
}

/// A stage that changes nothing (`metrics`, accepted for compatibility).
final class PassStage: AgentStage {
    func process(_ entry: AgentEntry, _ context: StageContext, _ next: (AgentEntry) -> Void) { next(entry) }
}
