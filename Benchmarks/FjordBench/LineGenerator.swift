import FjordModel

/// Writes one log line of a stream's kind into a byte buffer. The lines look like a real agent platform's logs:
/// structlog JSON (`event`, request/trace/span ids, heavy-tailed `latency_ms`, nested objects, arrays, an
/// `exception` holding a Python traceback on some errors), uvicorn access lines, redis, ollama logfmt and GIN
/// lines, ANSI-coloured celery lines, logfmt proxy lines, oneiric JSON events, Promtail `pack` JSON and journal text.
struct LineGenerator {
    var random: BenchRandom
    /// The distinct structured-metadata sets (litellm `model` and `cache_hit`); entries refer to them by index.
    private(set) var metadataSets: [[LabelPair]] = []
    private var metadataIndex: [String: Int32] = [:]
    private let users: [String]
    private let userChoice: WeightedChoice<String>
    private let agents: [String]
    /// Seconds after the data set's start of the error spike.
    static let incident: ClosedRange<Double> = 6000...6900

    init(random: BenchRandom) {
        self.random = random
        users = (1...40).map { "usr_" + String(repeating: "0", count: 4 - String($0).count) + String($0) }
        userChoice = WeightedChoice(users.enumerated().map { ($0.element, 1.0 / Double($0.offset + 1)) })
        var agentIDs: [String] = []
        for _ in 0..<12 {
            var writer = ByteWriter()
            writer.append("agt_")
            writer.appendHex(8, &self.random)
            agentIDs.append(String(decoding: writer.bytes, as: UTF8.self))
        }
        agents = agentIDs
    }

    /// Appends one line; returns the index of its structured metadata in ``metadataSets`` or -1.
    mutating func write(
        _ stream: inout StreamSpec, timestamp: Int64, secondsAfterStart: Double, into out: inout ByteWriter
    ) -> Int32 {
        switch stream.kind {
        case .structlog: return structlog(&stream, timestamp, secondsAfterStart, &out)
        case .uvicornAccess: uvicorn(&out)
        case .redisServer: redis(stream, &out)
        case .ollamaLogfmt: ollamaLogfmt(stream, timestamp, &out)
        case .ollamaGin: ollamaGin(&out)
        case .celeryANSI: celery(stream, &out)
        case .proxyLogfmt: proxy(stream, timestamp, secondsAfterStart, &out)
        case .oneiric: oneiric(stream, timestamp, &out)
        case .packed: packed(secondsAfterStart, &out)
        case .systemd: journal(stream, timestamp, &out)
        }
        return -1
    }

    /// The lines of a Python traceback (header, two lines per frame, the exception line).
    mutating func tracebackLines() -> [String] {
        var picked = Set<Int>()
        for _ in 0..<3 { picked.insert(random.int(0...(Vocabulary.frames.count - 1))) }
        var lines = ["Traceback (most recent call last):"]
        for index in picked.sorted() {
            let (file, line, function, code) = Vocabulary.frames[index]
            lines.append("  File \"\(file)\", line \(line), in \(function)")
            lines.append("    " + code)
        }
        let (type, message) = random.pick(Vocabulary.errors)
        lines.append("\(type): \(message)")
        return lines
    }

    // MARK: - Helpers

    private mutating func latency(_ seconds: Double, median: Double, sigma: Double) -> Double {
        let factor = Self.incident.contains(seconds) ? 3.0 : 1.0
        return random.logNormal(median: median * factor, sigma: sigma)
    }

    private mutating func ip(_ out: inout ByteWriter) {
        let k = random.int(0...9)
        if k < 5 {
            out.append("10.0."); out.append(int: random.int(0...7)); out.append("."); out.append(int: random.int(2...250))
        } else if k < 8 {
            out.append("172.18.0."); out.append(int: random.int(2...40))
        } else if k < 9 {
            out.append("192.168.1."); out.append(int: random.int(2...250))
        } else {
            out.append("2001:db8::")
            out.appendHex(random.int(1...3), &random)
        }
    }

    private mutating func path(_ out: inout ByteWriter) -> String {
        let (template, methods) = Vocabulary.httpPaths.pick(&random)
        if template == "/v1/agents/{id}" {
            out.append("/v1/agents/"); out.append(random.pick(agents))
        } else {
            out.append(template)
        }
        return random.pick(methods)
    }

    private mutating func status(_ level: String) -> Int {
        (Vocabulary.statusByLevel[level] ?? Vocabulary.statusByLevel["info"]!).pick(&random)
    }

    private mutating func key(_ out: inout ByteWriter, _ name: StaticString) {
        out.append(", \""); out.append(name); out.append("\": ")
    }

    private mutating func metadata(model: String, cacheHit: Bool) -> Int32 {
        let key = model + (cacheHit ? "|1" : "|0")
        if let index = metadataIndex[key] { return index }
        let index = Int32(metadataSets.count)
        metadataSets.append([LabelPair("model", model), LabelPair("cache_hit", cacheHit ? "true" : "false")])
        metadataIndex[key] = index
        return index
    }

    // MARK: - structlog JSON

    private mutating func structlog(
        _ stream: inout StreamSpec, _ timestamp: Int64, _ seconds: Double, _ out: inout ByteWriter
    ) -> Int32 {
        let service = stream.service
        let level = stream.level
        let event = Vocabulary.events[service]?[level]?.pick(&random) ?? "log"
        let tenant = stream.tenantID ?? random.pick(StreamLayout.tenantPool)
        var meta: Int32 = -1
        out.append("{\"event\": "); out.appendJSONString(event)
        key(&out, "tenant_id"); out.appendJSONString(tenant)
        key(&out, "request_id"); out.append("\"req_"); out.appendHex(16, &random); out.append("\"")
        if random.chance(0.9) { key(&out, "user_id"); out.appendJSONString(userChoice.pick(&random)) }
        if event == "http.request" {
            key(&out, "http"); out.append("{\"method\": \"")
            var pathWriter = ByteWriter()
            let method = path(&pathWriter)
            out.append(method); out.append("\", \"path\": \""); out.append(pathWriter.bytes[...])
            out.append("\", \"status\": "); out.append(int: status(level))
            out.append(", \"client_ip\": \""); ip(&out); out.append("\"")
            if random.chance(0.3) { out.append(", \"user-agent\": "); out.appendJSONString(random.pick(Vocabulary.userAgents)) }
            out.append("}")
            key(&out, "latency_ms"); out.append(number: latency(seconds, median: 60, sigma: 1.3), decimals: 1)
            key(&out, "bytes_sent"); out.append(int: Int(random.logNormal(median: 2400, sigma: 1.2)))
        } else if event.hasPrefix("agent.") {
            key(&out, "agent_id"); out.appendJSONString(random.pick(agents))
            if event == "agent.execute.done" || event == "agent.execute.failed" || event == "agent.step.slow" {
                key(&out, "latency_ms"); out.append(number: latency(seconds, median: 1400, sigma: 0.8), decimals: 1)
                key(&out, "steps"); out.append(int: random.int(1...12))
            }
            if event == "agent.execute.done" {
                key(&out, "tokens"); out.append("{\"prompt\": "); out.append(int: random.int(200...6000))
                out.append(", \"completion\": "); out.append(int: random.int(20...1500)); out.append("}")
            }
            if random.chance(0.5) {
                key(&out, "tags"); out.append("[\""); out.append(random.pick(Vocabulary.tags.0))
                out.append("\", \""); out.append(random.pick(Vocabulary.tags.1)); out.append("\"]")
            }
        } else if event == "db.pool.stats" {
            stream.counter = random.chance(0.01) ? random.int(0...20) : stream.counter + random.int(1...60)
            key(&out, "pool_checkouts_total"); out.append(int: stream.counter)
            key(&out, "pool_size"); out.append(int: 20)
            key(&out, "pool_in_use"); out.append(int: random.int(0...20))
        } else if event.hasPrefix("db.") {
            let statement = Vocabulary.statements.pick(&random)
            key(&out, "statement"); out.appendJSONString(statement)
            key(&out, "table"); out.appendJSONString(random.pick(Vocabulary.tables))
            key(&out, "rows"); out.append(int: statement == "SELECT" ? random.int(0...500) : random.int(0...3))
            key(&out, "latency_ms")
            out.append(number: latency(seconds, median: level == "warning" ? 900 : 8, sigma: 1.2), decimals: 1)
        } else if event.hasPrefix("cache.") {
            key(&out, "key"); out.append("\"tenant:"); out.append(String(tenant.prefix(8))); out.append(":")
            out.append(random.pick(Vocabulary.cacheKinds)); out.append("\"")
            key(&out, "latency_ms"); out.append(number: latency(seconds, median: 0.8, sigma: 0.9), decimals: 1)
        } else if event.hasPrefix("llm.") {
            let model = random.pick(service == "litellm" ? Vocabulary.gatewayModels : Vocabulary.localModels)
            key(&out, "model"); out.appendJSONString(model)
            key(&out, "latency_ms"); out.append(number: latency(seconds, median: 900, sigma: 0.9), decimals: 1)
            if event == "llm.completion" || event == "llm.generate.done" {
                let prompt = random.int(50...8000)
                let completion = random.int(10...2000)
                key(&out, "usage"); out.append("{\"prompt_tokens\": "); out.append(int: prompt)
                out.append(", \"completion_tokens\": "); out.append(int: completion)
                out.append(", \"total_tokens\": "); out.append(int: prompt + completion); out.append("}")
                key(&out, "cost_usd")
                out.append(number: Double(prompt) * 2.5e-6 + Double(completion) * 1e-5, decimals: 6)
                if service == "litellm" {
                    key(&out, "rate limits"); out.append("{\"remaining-requests\": "); out.append(int: random.int(0...60))
                    out.append(", \"remaining-tokens\": "); out.append(int: random.int(0...30000)); out.append("}")
                }
            }
            if service == "litellm" {
                let hit = random.chance(0.2)
                key(&out, "cache_hit"); out.append(hit ? "true" : "false")
                meta = metadata(model: model, cacheHit: hit)
            }
        } else if event.hasPrefix("task.") {
            key(&out, "task"); out.append("\"app.worker.tasks."); out.append(random.pick(Vocabulary.tasks)); out.append("\"")
            key(&out, "task_id"); out.append("\""); out.appendUUID(&random); out.append("\"")
            if event == "task.succeeded" || event == "task.failed" {
                key(&out, "latency_ms"); out.append(number: latency(seconds, median: 400, sigma: 1.0), decimals: 1)
            }
            if event == "task.retry" { key(&out, "attempt"); out.append(int: random.int(1...5)) }
        } else if event.hasPrefix("auth.") {
            key(&out, "method"); out.appendJSONString(random.pick(["password", "sso", "api_key"]))
            key(&out, "2fa"); out.append(random.chance(0.4) ? "true" : "false")
        } else if event == "rate_limit.exceeded" {
            key(&out, "limit"); out.append(int: random.pick([60, 120, 600]))
            key(&out, "window_s"); out.append(int: 60)
        } else if event == "upstream.timeout" {
            key(&out, "upstream"); out.appendJSONString(random.pick(["litellm", "ollama", "db"]))
            key(&out, "latency_ms"); out.append(number: 30000 + Double(random.int(0...500)), decimals: 1)
        }
        if level == "error" || level == "critical" {
            let (type, message) = random.pick(Vocabulary.errors)
            key(&out, "error"); out.appendJSONString(message)
            key(&out, "exc_type"); out.appendJSONString(type)
            // structlog's format_exc_info: the whole traceback as one JSON string.
            if stream.logsTracebacks || random.chance(0.15) {
                key(&out, "exception"); out.appendJSONString(tracebackLines().joined(separator: "\n"))
            }
        }
        key(&out, "trace_id"); out.append("\""); out.appendHex(32, &random); out.append("\"")
        key(&out, "span_id"); out.append("\""); out.appendHex(16, &random); out.append("\"")
        key(&out, "level"); out.appendJSONString(level)
        key(&out, "logger"); out.appendJSONString(stream.logger)
        key(&out, "timestamp"); out.append("\""); out.appendISO(timestamp, fractionDigits: 6); out.append("\"}")
        return meta
    }

    // MARK: - Other services

    private mutating func uvicorn(_ out: inout ByteWriter) {
        out.append("INFO:     ")
        if random.chance(0.3) { ip(&out) } else { out.append("172.18.0."); out.append(int: random.int(2...12)) }
        out.append(":"); out.append(int: random.int(30000...65000)); out.append(" - \"")
        var pathWriter = ByteWriter()
        let method = path(&pathWriter)
        out.append(method); out.append(" "); out.append(pathWriter.bytes[...]); out.append(" HTTP/1.1\" ")
        let code = status(random.chance(0.9) ? "info" : (random.chance(0.7) ? "warning" : "error"))
        out.append(int: code); out.append(" "); out.append(Vocabulary.reasons[code] ?? "")
    }

    private mutating func redis(_ stream: StreamSpec, _ out: inout ByteWriter) {
        if stream.level == "warning" {
            switch random.int(0...2) {
            case 0: out.append("1:M # WARNING Memory overcommit must be enabled! Without it, a background save may fail.")
            case 1: out.append("1:M # WARNING: The TCP backlog setting of 511 cannot be enforced.")
            default:
                out.append("1:M # Client id="); out.append(int: random.int(100...9999)); out.append(" addr=")
                ip(&out); out.append(":"); out.append(int: random.int(30000...65000))
                out.append(" closed for overcoming of output buffer limits.")
            }
            return
        }
        switch random.int(0...3) {
        case 0: out.append("1:M * "); out.append(int: random.int(100...20000)); out.append(" changes in 60 seconds. Saving...")
        case 1: out.append("1:M * Background saving started by pid "); out.append(int: random.int(20...9999))
        case 2: out.append(int: random.int(20...9999)); out.append(":C * DB saved on disk")
        default: out.append("1:M * Background saving terminated with success")
        }
    }

    private mutating func ollamaLogfmt(_ stream: StreamSpec, _ timestamp: Int64, _ out: inout ByteWriter) {
        let model = random.pick(Vocabulary.localModels)
        out.append("time="); out.appendISO(timestamp, fractionDigits: 3)
        switch stream.level {
        case "info":
            out.append(" level=INFO source=server.go:"); out.append(int: random.int(600...800))
            out.append(" msg=\"llm request completed\" model="); out.append(model)
            out.append(" prompt_tokens="); out.append(int: random.int(20...4000))
            out.append(" eval_tokens="); out.append(int: random.int(5...900))
            out.append(" duration="); out.appendGoDuration(milliseconds: random.logNormal(median: 1500, sigma: 0.8))
        case "warning":
            out.append(" level=WARN source=sched.go:"); out.append(int: random.int(100...300))
            out.append(" msg=\"gpu VRAM usage high\" model="); out.append(model)
            out.append(" vram_used="); out.append(fixed: Double(random.int(50...79)) / 10, decimals: 1)
            out.append("GiB vram_total=8GiB")
        default:
            out.append(" level=ERROR source=server.go:"); out.append(int: random.int(600...800))
            out.append(" msg=\"model load failed\" model="); out.append(model); out.append(" error=\"")
            out.append(random.pick(["context deadline exceeded", "out of memory", "unexpected EOF"])); out.append("\"")
        }
    }

    private mutating func ollamaGin(_ out: inout ByteWriter) {
        let code = status(random.chance(0.95) ? "info" : "error")
        var duration = ByteWriter()
        duration.appendGoDuration(milliseconds: random.logNormal(median: 800, sigma: 1.0))
        var client = ByteWriter()
        client.append("172.18.0."); client.append(int: random.int(2...12))
        let method = random.pick(["POST", "POST", "GET"])
        out.append("[GIN] | "); out.append(int: code); out.append(" | ")
        for _ in duration.count..<max(duration.count, 13) { out.append(" ") }
        out.append(duration.bytes[...]); out.append(" | ")
        for _ in client.count..<max(client.count, 15) { out.append(" ") }
        out.append(client.bytes[...]); out.append(" | "); out.append(method)
        for _ in method.utf8.count..<7 { out.append(" ") }
        out.append(" \""); out.append(random.pick(["/api/chat", "/api/generate", "/api/embeddings", "/api/tags"]))
        out.append("\"")
    }

    private mutating func celery(_ stream: StreamSpec, _ out: inout ByteWriter) {
        let task = random.pick(Vocabulary.tasks)
        if stream.level == "error" {
            let (type, message) = random.pick(Vocabulary.errors)
            out.append("\u{1B}[1;31mERROR\u{1B}[0m \u{1B}[36m[celery.worker]\u{1B}[0m Task app.worker.tasks.")
            out.append(task); out.append("["); out.appendUUID(&random); out.append("] raised unexpected: ")
            out.append(type); out.append("(\""); out.append(message); out.append("\")")
        } else {
            out.append("\u{1B}[1;32mINFO\u{1B}[0m \u{1B}[36m[celery.worker]\u{1B}[0m Task app.worker.tasks.")
            out.append(task); out.append("["); out.appendUUID(&random); out.append("] succeeded in ")
            out.append(fixed: random.logNormal(median: 0.5, sigma: 1.0), decimals: 3); out.append("s: None")
        }
    }

    private mutating func proxy(_ stream: StreamSpec, _ timestamp: Int64, _ seconds: Double, _ out: inout ByteWriter) {
        let level = stream.level
        out.append("ts="); out.appendISO(timestamp, fractionDigits: 3)
        out.append(" level="); out.append(level)
        var pathWriter = ByteWriter()
        let method = path(&pathWriter)
        out.append(" method="); out.append(method); out.append(" path="); out.append(pathWriter.bytes[...])
        out.append(" status="); out.append(int: status(level))
        out.append(" duration="); out.appendGoDuration(milliseconds: latency(seconds, median: 25, sigma: 1.4))
        let bytes = Int(random.logNormal(median: 1800, sigma: 1.6))
        out.append(" bytes="); out.append(int: bytes)
        out.append(" client="); ip(&out)
        out.append(" upstream=\"api:8000\" request_id=req_"); out.appendHex(16, &random)
        if random.chance(0.15) {
            out.append(" user=")
        } else if random.chance(0.6) {
            out.append(" user="); out.append(userChoice.pick(&random))
        }
        if random.chance(0.3) {
            out.append(" resp_size=")
            if bytes >= 1000 { out.append(fixed: Double(bytes) / 1000, decimals: 1); out.append("kB") } else {
                out.append(int: bytes); out.append("B")
            }
        }
        out.append(" msg=\"")
        out.append(level == "info" ? "request completed" : (level == "warning" ? "client error" : "upstream error"))
        out.append("\"")
        if random.chance(0.02) { out.append(" note=\"unterminated") }
    }

    private mutating func oneiric(_ stream: StreamSpec, _ timestamp: Int64, _ out: inout ByteWriter) {
        let level = stream.level
        if level == "info", stream.container == "oneiric-lifecycle", random.chance(0.01) {
            out.append("oneiric 0.9."); out.append(int: random.int(1...4)); out.append(" starting: ")
            out.append(int: random.int(30...60)); out.append(" components registered")
            return
        }
        let event = random.pick(Vocabulary.oneiricEvents[stream.container]?[level] ?? ["component-state"])
        let (domain, keys) = random.pick(Vocabulary.oneiricDomains)
        let (keyName, provider) = random.pick(keys)
        out.append("{\"timestamp\":\""); out.appendISO(timestamp, fractionDigits: 6)
        out.append("\",\"level\":\""); out.append(level); out.append("\",\"event\":\""); out.append(event)
        out.append("\",\"domain\":\""); out.append(domain); out.append("\",\"key\":\""); out.append(keyName); out.append("\"")
        let failed = ["swap-failed", "remote-sync-error", "health-check-failed", "digest-check-failed", "swap-rollback"]
            .contains(event)
        if !["component-paused", "component-resumed", "component-state"].contains(event) {
            out.append(",\"provider\":\""); out.append(provider)
            out.append("\",\"outcome\":\""); out.append(failed ? "failed" : "success"); out.append("\"")
        }
        if event.hasPrefix("swap") || event.hasPrefix("remote-sync") || event.hasPrefix("health")
            || event == "resolver-decision" {
            let medians: [String: Double] = ["resolver-decision": 3, "swap-complete": 180, "swap-failed": 2500]
            let median = medians[event] ?? 60
            let value = random.logNormal(median: median, sigma: 0.9)
            out.append(",\"duration_ms\":")
            if random.chance(0.5) { out.append(int: Int(value)) } else { out.append(number: value, decimals: 2) }
        }
        out.append(",\"note\":"); out.appendJSONString(random.pick(Vocabulary.oneiricNotes[event] ?? ["-"]))
        if failed { out.append(",\"error\":"); out.appendJSONString(random.pick(Vocabulary.oneiricErrors)) }
        if event == "remote-sync-complete" { out.append(",\"attempt\":"); out.append(int: random.int(1...3)) }
        out.append("}")
    }

    private mutating func packed(_ seconds: Double, _ out: inout ByteWriter) {
        if random.chance(0.03) {
            out.append("packer: buffer flushed ("); out.append(int: random.int(10...500)); out.append(" entries)")
            return
        }
        out.append("{")
        if random.chance(0.9) {
            var entry = ByteWriter()
            if random.chance(0.5) {
                entry.append("level="); entry.append(random.pick(["info", "info", "warn", "error"]))
                entry.append(" msg=\""); entry.append(random.pick(["cache warmed", "session refreshed", "tool call finished"]))
                entry.append("\" duration="); entry.appendGoDuration(milliseconds: random.logNormal(median: 40, sigma: 1.0))
            } else {
                entry.append("{\"event\":\""); entry.append(random.pick(["agent.execute.done", "http.request"]))
                entry.append("\",\"latency_ms\":"); entry.append(number: latency(seconds, median: 60, sigma: 1.3), decimals: 1)
                entry.append(",\"status\":"); entry.append(int: random.pick([200, 200, 500])); entry.append("}")
            }
            out.append("\"_entry\":"); out.appendJSONString(String(decoding: entry.bytes, as: UTF8.self)); out.append(",")
        }
        let container = random.pick(["api", "worker", "litellm"])
        out.append("\"pod\":\""); out.append(random.pick(["api", "worker", "litellm"])); out.append("-")
        out.appendHex(5, &random); out.append("-"); out.appendHex(5, &random)
        out.append("\",\"container\":\""); out.append(container)
        out.append("\",\"namespace\":\"eap\",\"stream\":\""); out.append(random.pick(["stdout", "stdout", "stderr"]))
        out.append("\",\"node\":\"node-"); out.append(int: random.int(1...4))
        out.append("\",\"restarts\":"); out.append(int: random.int(0...3)); out.append("}")
    }

    private mutating func journal(_ stream: StreamSpec, _ timestamp: Int64, _ out: inout ByteWriter) {
        let template = random.pick(Vocabulary.journal[stream.service] ?? ["started"])
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            out.append(String(rest[..<open]))
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            switch rest[rest.index(after: open)..<close] {
            case "ip": ip(&out)
            case "port": out.append(int: random.int(30000...65000))
            case "hex": out.appendHex(12, &random)
            case "iso": out.appendISO(timestamp, fractionDigits: 6)
            case "clock":
                let seconds = Int(timestamp / 1_000_000_000) % 86_400
                out.append(int: seconds / 3600, width: 2); out.append(":"); out.append(int: seconds / 60 % 60, width: 2)
                out.append(":"); out.append(int: seconds % 60, width: 2); out.append(".")
                out.append(int: Int(timestamp / 1000 % 1_000_000), width: 6)
            default: out.append(String(rest[open...close]))
            }
            rest = rest[rest.index(after: close)...]
        }
        out.append(String(rest))
    }
}
