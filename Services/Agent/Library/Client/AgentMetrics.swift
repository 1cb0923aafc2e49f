import Metrics

/// The agent's Prometheus metrics (Promtail's, renamed `fjord_agent_*`).
public enum AgentMetrics {
    public static func sentEntries(host: String, _ count: Int) {
        Counter(label: "fjord_agent_sent_entries_total", dimensions: [("host", host)]).increment(by: count)
    }

    public static func sentBytes(host: String, _ count: Int) {
        Counter(label: "fjord_agent_sent_bytes_total", dimensions: [("host", host)]).increment(by: count)
    }

    /// Every entry the agent gives up on is counted here, with why.
    public static func dropped(reason: String, host: String = "", tenant: String = "", entries: Int, bytes: Int) {
        guard entries > 0 else { return }
        Counter(label: "fjord_agent_dropped_entries_total",
                dimensions: [("host", host), ("reason", reason), ("tenant", tenant)]).increment(by: entries)
        Counter(label: "fjord_agent_dropped_bytes_total",
                dimensions: [("host", host), ("reason", reason), ("tenant", tenant)]).increment(by: bytes)
    }

    public static func batchRetry(host: String) {
        Counter(label: "fjord_agent_batch_retries_total", dimensions: [("host", host)]).increment()
    }

    public static func requestFinished(host: String, status: String) {
        Counter(label: "fjord_agent_request_total", dimensions: [("host", host), ("status_code", status)]).increment()
    }

    public static func readLines(path: String, _ count: Int) {
        Counter(label: "fjord_agent_read_lines_total", dimensions: [("path", path)]).increment(by: count)
    }

    public static func readBytes(path: String, _ count: Int) {
        Counter(label: "fjord_agent_read_bytes_total", dimensions: [("path", path)]).increment(by: count)
    }

    public static func activeFiles(_ count: Int) {
        Gauge(label: "fjord_agent_files_active_total").record(count)
    }
}
