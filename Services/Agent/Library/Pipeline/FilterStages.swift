import FjordModel
import FjordPipeline

/// `match`: entries whose labels (and line, when the selector has line filters) match the LogQL selector run the
/// nested stages (`action: keep`) or are dropped (`action: drop`, for a `drop_ratio` share of them); the others go
/// on unchanged.
final class MatchStage: AgentStage {
    let config: MatchStageConfig
    let nested: AgentPipeline
    let filters: LineProcessor?

    init(_ config: MatchStageConfig, random: @escaping () -> Double) {
        self.config = config
        nested = AgentPipeline(config.stages, random: random)
        filters = config.filters?.makeProcessor(streamLabels: Labels())
    }

    func matches(_ entry: AgentEntry) -> Bool {
        for matcher in config.matchers where !matcher.matches(entry.labels[matcher.name] ?? "") { return false }
        guard let filters else { return true }
        var line = entry.line
        return line.withUTF8 { bytes in
            filters.process(timestamp: entry.timestamp, line: UnsafeRawBufferPointer(bytes), metadata: Labels()) != nil
        }
    }

    func process(_ entry: AgentEntry, _ context: StageContext, _ next: (AgentEntry) -> Void) {
        guard matches(entry) else { return next(entry) }
        if config.dropEntries {
            if config.dropRatio >= 1 || context.random() < config.dropRatio {
                return context.drop(entry, reason: config.dropCounterReason)
            }
            return next(entry)
        }
        nested.run(entry, from: 0, context, next)
    }

    func flush(force: Bool, _ context: StageContext, _ next: (AgentEntry) -> Void) {
        nested.flush(force: force, context, next)
    }
}

/// `drop`: drops entries for which every configured condition holds.
final class DropStage: AgentStage {
    let config: DropStageConfig

    init(_ config: DropStageConfig) { self.config = config }

    func shouldDrop(_ entry: AgentEntry, now: Int64) -> Bool {
        if let olderThan = config.olderThanNanos, entry.timestamp >= now - olderThan { return false }
        if let longerThan = config.longerThanBytes, entry.line.utf8.count <= longerThan { return false }
        if !config.sources.isEmpty {
            var values: [String] = []
            for source in config.sources {
                guard let value = entry.extracted[source] else { return false }
                values.append(value)
            }
            let joined = values.joined(separator: config.separator)
            if let value = config.value, joined != value { return false }
            if let expression = config.expression, !expression.matches(joined) { return false }
        } else if let expression = config.expression, !expression.matches(entry.line) {
            return false
        }
        return true
    }

    func process(_ entry: AgentEntry, _ context: StageContext, _ next: (AgentEntry) -> Void) {
        if shouldDrop(entry, now: context.now) { return context.drop(entry, reason: config.dropCounterReason) }
        next(entry)
    }
}

/// `multiline`: joins lines into blocks that start with a line matching `firstline`, sent when the next block
/// starts, when `max_lines` is reached, or `max_wait_time` after the block's last line. Blocks are kept per stream.
final class MultilineStage: AgentStage {
    struct Block {
        var first: AgentEntry
        var lines: [String]
        var lastSeen: Int64
    }

    let config: MultilineStageConfig
    private var blocks: [String: Block] = [:]

    init(_ config: MultilineStageConfig) { self.config = config }

    func process(_ entry: AgentEntry, _ context: StageContext, _ next: (AgentEntry) -> Void) {
        let key = streamKey(entry.labels)
        if config.firstLine.matches(entry.line), let block = blocks.removeValue(forKey: key) {
            next(joined(block))
        }
        if var block = blocks.removeValue(forKey: key) {
            block.lines.append(entry.line)
            block.lastSeen = context.now
            if let token = entry.ack {
                block.first.ack = block.first.ack.map { $0.merged(with: token) } ?? token
            }
            blocks[key] = block
        } else {
            blocks[key] = Block(first: entry, lines: [entry.line], lastSeen: context.now)
        }
        if let block = blocks[key], block.lines.count >= config.maxLines {
            blocks.removeValue(forKey: key)
            next(joined(block))
        }
    }

    func flush(force: Bool, _ context: StageContext, _ next: (AgentEntry) -> Void) {
        for key in blocks.keys.sorted() {
            guard let block = blocks[key], force || context.now - block.lastSeen >= config.maxWaitNanos else { continue }
            blocks.removeValue(forKey: key)
            next(joined(block))
        }
    }

    private func joined(_ block: Block) -> AgentEntry {
        var entry = block.first
        entry.line = block.lines.joined(separator: "\n")
        return entry
    }
}

/// A map key for a label set.
func streamKey(_ labels: [String: String]) -> String {
    labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\u{0}")
}
