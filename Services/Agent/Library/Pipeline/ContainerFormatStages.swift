import FjordModel

/// `docker`: Docker's json-file lines `{"log":"…\n","stream":"stdout","time":"…"}` → the line (without its newline),
/// a `stream` label and the time. Docker splits lines over 16 KiB into pieces without a final newline; the pieces
/// are joined. Lines that are not such JSON pass unchanged.
final class DockerStage: AgentStage {
    private var partial: [String: AgentEntry] = [:]

    func process(_ entry: AgentEntry, _ context: StageContext, _ next: (AgentEntry) -> Void) {
        guard let parsed = DockerJSONLine.parse(entry.line) else { return next(entry) }
        var entry = entry
        entry.labels["stream"] = parsed.stream
        if let time = parsed.time { entry.timestamp = time }
        entry.extracted["stream"] = parsed.stream
        entry.extracted["output"] = parsed.log
        if let time = parsed.time { entry.extracted["timestamp"] = GoTime.rfc3339Nano(time) }
        var log = parsed.log
        let complete = log.hasSuffix("\n")
        if complete { log.removeLast() }
        if var held = partial.removeValue(forKey: parsed.stream) {
            held.line += log
            if let token = entry.ack { held.ack = held.ack.map { $0.merged(with: token) } ?? token }
            entry = held
        } else {
            entry.line = log
        }
        if complete {
            next(entry)
        } else {
            partial[parsed.stream] = entry
        }
    }

    func flush(force: Bool, _ context: StageContext, _ next: (AgentEntry) -> Void) {
        guard force else { return }
        for key in partial.keys.sorted() {
            if let entry = partial.removeValue(forKey: key) { next(entry) }
        }
    }
}

/// One Docker json-file log line.
public struct DockerJSONLine: Sendable, Hashable {
    public var log: String
    public var stream: String
    public var time: Int64?

    public static func parse(_ line: String) -> DockerJSONLine? {
        guard let value = try? JSONParser.parse(line), let log = value["log"]?.stringValue else { return nil }
        let time = value["time"]?.stringValue.flatMap(GoTime.parseRFC3339)
        return DockerJSONLine(log: log, stream: value["stream"]?.stringValue ?? "", time: time)
    }
}

/// `cri`: CRI-O / containerd lines `<RFC3339Nano time> <stdout|stderr> <P|F>[:tags] <message>` → the message, a
/// `stream` label and the time. Partial (`P`) pieces are joined with the next pieces up to the final (`F`) one, at
/// most `max_partial_lines` pieces (and `max_partial_line_size` bytes when set).
final class CRIStage: AgentStage {
    let maxPartialLines: Int
    let maxPartialLineSize: Int
    private var partial: [String: (entry: AgentEntry, pieces: Int)] = [:]

    init(maxPartialLines: Int, maxPartialLineSize: Int) {
        self.maxPartialLines = maxPartialLines
        self.maxPartialLineSize = maxPartialLineSize
    }

    func process(_ entry: AgentEntry, _ context: StageContext, _ next: (AgentEntry) -> Void) {
        guard let parsed = CRILine.parse(entry.line) else { return next(entry) }
        var entry = entry
        entry.labels["stream"] = parsed.stream
        entry.timestamp = parsed.time
        entry.extracted["stream"] = parsed.stream
        entry.extracted["flags"] = parsed.flags
        entry.extracted["content"] = parsed.message
        var pieces = 1
        if let held = partial.removeValue(forKey: parsed.stream) {
            var joined = held.entry
            joined.line += parsed.message
            if let token = entry.ack { joined.ack = joined.ack.map { $0.merged(with: token) } ?? token }
            entry = joined
            pieces = held.pieces + 1
        } else {
            entry.line = parsed.message
        }
        let tooBig = maxPartialLineSize > 0 && entry.line.utf8.count >= maxPartialLineSize
        if parsed.isPartial, pieces < maxPartialLines, !tooBig {
            partial[parsed.stream] = (entry, pieces)
        } else {
            next(entry)
        }
    }

    func flush(force: Bool, _ context: StageContext, _ next: (AgentEntry) -> Void) {
        guard force else { return }
        for key in partial.keys.sorted() {
            if let held = partial.removeValue(forKey: key) { next(held.entry) }
        }
    }
}

/// One CRI log line.
public struct CRILine: Sendable, Hashable {
    public var time: Int64
    public var stream: String
    public var flags: String
    public var message: String

    public var isPartial: Bool { flags.split(separator: ":").first == "P" }

    public static func parse(_ line: String) -> CRILine? {
        let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count >= 3, let time = GoTime.parseRFC3339(String(parts[0])),
              parts[1] == "stdout" || parts[1] == "stderr" else { return nil }
        return CRILine(time: time, stream: String(parts[1]), flags: String(parts[2]),
                       message: parts.count == 4 ? String(parts[3]) : "")
    }
}
