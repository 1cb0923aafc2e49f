import FjordPipeline

typealias FjordPipelineProcessor = LineProcessor

/// `labels` / `structured_metadata`: copies extracted values into labels or structured metadata.
final class LabelsStage: AgentStage {
    let pairs: [(name: String, source: String)]
    let toMetadata: Bool

    init(pairs: [(name: String, source: String)], toMetadata: Bool) {
        self.pairs = pairs
        self.toMetadata = toMetadata
    }

    func process(_ entry: AgentEntry, _ context: StageContext, _ next: (AgentEntry) -> Void) {
        var entry = entry
        for (name, source) in pairs {
            guard let value = entry.extracted[source] else { continue }
            if toMetadata {
                entry.metadata[name] = value
            } else {
                entry.labels[name] = value
            }
        }
        next(entry)
    }
}

/// `static_labels`: fixed labels.
final class StaticLabelsStage: AgentStage {
    let pairs: [(name: String, value: String)]

    init(pairs: [(name: String, value: String)]) { self.pairs = pairs }

    func process(_ entry: AgentEntry, _ context: StageContext, _ next: (AgentEntry) -> Void) {
        var entry = entry
        for (name, value) in pairs { entry.labels[name] = value }
        next(entry)
    }
}

/// `labeldrop` (remove the names) and `labelallow` (keep only the names).
final class LabelFilterStage: AgentStage {
    let names: Set<String>
    let keep: Bool

    init(names: Set<String>, keep: Bool) {
        self.names = names
        self.keep = keep
    }

    func process(_ entry: AgentEntry, _ context: StageContext, _ next: (AgentEntry) -> Void) {
        var entry = entry
        entry.labels = entry.labels.filter { pair in
            pair.key.hasPrefix("__") || names.contains(pair.key) == keep
        }
        next(entry)
    }
}

/// `output`: the line becomes an extracted value.
final class OutputStage: AgentStage {
    let source: String

    init(source: String) { self.source = source }

    func process(_ entry: AgentEntry, _ context: StageContext, _ next: (AgentEntry) -> Void) {
        var entry = entry
        if let value = entry.extracted[source] { entry.line = value }
        next(entry)
    }
}

/// `template`: sets an extracted value from a Go template over the extracted values.
final class TemplateStage: AgentStage {
    let source: String
    let template: TemplateStageRenderer
    let processor: FjordPipelineProcessor

    init(source: String, template: TemplateStageRenderer) {
        self.source = source
        self.template = template
        processor = template.makeProcessor()
    }

    func process(_ entry: AgentEntry, _ context: StageContext, _ next: (AgentEntry) -> Void) {
        var entry = entry
        var fields = entry.extracted
        fields["Value"] = entry.extracted[source] ?? ""
        fields["Entry"] = entry.line
        if let value = template.render(fields, line: entry.line, timestamp: entry.timestamp, processor: processor) {
            entry.extracted[source] = value
        }
        next(entry)
    }
}

/// `tenant`: the entry's tenant, from a fixed value, an extracted value or a label.
final class TenantStage: AgentStage {
    let config: TenantStageConfig

    init(_ config: TenantStageConfig) { self.config = config }

    func process(_ entry: AgentEntry, _ context: StageContext, _ next: (AgentEntry) -> Void) {
        var entry = entry
        let tenant: String?
        if !config.value.isEmpty {
            tenant = config.value
        } else if !config.source.isEmpty {
            tenant = entry.extracted[config.source]
        } else {
            tenant = entry.labels[config.label]
        }
        if let tenant, !tenant.isEmpty { entry.labels[reservedTenantLabel] = tenant }
        next(entry)
    }
}
