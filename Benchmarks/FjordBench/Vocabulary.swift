/// Words and weights the line generator draws from: the services of an agent platform (API, database, cache, LLM
/// gateway, workers, proxy) as they show up in real structlog/uvicorn/redis/ollama/celery logs.
enum Vocabulary {
    /// structlog events per service and level, with relative weights.
    static let events: [String: [String: WeightedChoice<String>]] = [
        "api": [
            "debug": WeightedChoice([("tenant.resolve", 2), ("auth.token.verify", 2), ("cache.lookup", 1)]),
            "info": WeightedChoice([("http.request", 6), ("agent.execute.start", 2), ("agent.execute.done", 2),
                                    ("auth.login", 0.5)]),
            "warning": WeightedChoice([("http.request", 4), ("rate_limit.exceeded", 1), ("auth.token.expired", 1)]),
            "error": WeightedChoice([("http.request", 3), ("agent.execute.failed", 2), ("upstream.timeout", 1)]),
            "critical": WeightedChoice([("agent.execute.crash", 1), ("db.pool.exhausted", 1)]),
        ],
        "db": [
            "debug": WeightedChoice([("db.query", 4), ("db.pool.checkout", 1)]),
            "info": WeightedChoice([("db.query", 6), ("db.pool.stats", 1), ("db.migration.applied", 0.05)]),
            "warning": WeightedChoice([("db.query.slow", 3), ("db.deadlock.retry", 1)]),
            "error": WeightedChoice([("db.connection.error", 1), ("db.query.failed", 2)]),
            "critical": WeightedChoice([("db.connection.lost", 1)]),
        ],
        "redis": [
            "debug": WeightedChoice([("cache.hit", 3), ("cache.miss", 1)]),
            "info": WeightedChoice([("cache.set", 2), ("cache.hit", 3), ("cache.miss", 1)]),
            "warning": WeightedChoice([("cache.evict", 2), ("cache.latency.high", 1)]),
            "error": WeightedChoice([("cache.connection.error", 1)]),
        ],
        "ollama": [
            "debug": WeightedChoice([("llm.generate.chunk", 1)]),
            "info": WeightedChoice([("llm.generate.start", 1), ("llm.generate.done", 1)]),
            "warning": WeightedChoice([("llm.generate.slow", 1)]),
            "error": WeightedChoice([("llm.generate.failed", 1)]),
        ],
        "litellm": [
            "debug": WeightedChoice([("llm.router.select", 1)]),
            "info": WeightedChoice([("llm.completion", 5), ("llm.cache.hit", 1)]),
            "warning": WeightedChoice([("llm.fallback", 2), ("llm.rate_limited", 1)]),
            "error": WeightedChoice([("llm.upstream.error", 1)]),
        ],
        "worker": [
            "debug": WeightedChoice([("task.received", 2), ("agent.step", 2)]),
            "info": WeightedChoice([("task.started", 2), ("task.succeeded", 2), ("agent.execute.start", 1),
                                    ("agent.execute.done", 1)]),
            "warning": WeightedChoice([("task.retry", 2), ("agent.step.slow", 1)]),
            "error": WeightedChoice([("task.failed", 2), ("agent.execute.failed", 1)]),
            "critical": WeightedChoice([("agent.execute.crash", 1)]),
        ],
    ]

    static let httpPaths = WeightedChoice<(String, [String])>([
        (("/v1/agents", ["GET", "POST"]), 3), (("/v1/agents/run", ["POST"]), 4),
        (("/v1/agents/{id}", ["GET", "DELETE"]), 2), (("/v1/chat/completions", ["POST"]), 5),
        (("/v1/auth/token", ["POST"]), 1.5), (("/v1/tenants/current", ["GET"]), 1), (("/v1/tools", ["GET"]), 1),
        (("/health", ["GET"]), 2), (("/metrics", ["GET"]), 0.5),
    ])

    static let statusByLevel: [String: WeightedChoice<Int>] = [
        "info": WeightedChoice([(200, 10), (201, 2), (204, 1), (301, 0.3), (304, 0.5)]),
        "warning": WeightedChoice([(400, 3), (401, 2), (403, 1), (404, 3), (429, 2)]),
        "error": WeightedChoice([(500, 3), (502, 2), (503, 2), (504, 1)]),
    ]

    static let reasons: [Int: String] = [
        200: "OK", 201: "Created", 204: "No Content", 301: "Moved Permanently", 304: "Not Modified",
        400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 429: "Too Many Requests",
        500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
    ]

    static let userAgents = ["python-httpx/0.27.0", "Mozilla/5.0 (X11; Linux x86_64)", "grafana-agent/0.40"]
    static let gatewayModels = ["gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet", "llama3.1:8b"]
    static let localModels = ["llama3.1:8b", "qwen2.5:14b", "nomic-embed-text"]
    static let tasks = ["run_agent", "sync_tenant", "embed_documents", "send_digest", "cleanup_sessions"]
    static let tables = ["agents", "runs", "tenants", "users", "messages", "tool_calls"]
    static let statements = WeightedChoice([("SELECT", 6.0), ("INSERT", 2), ("UPDATE", 1.5), ("DELETE", 0.3)])
    static let cacheKinds = ["agents", "session", "tools", "quota"]
    static let tags = (["prod", "beta", "batch"], ["tools", "rag", "chat"])

    /// (exception type, message): texts with `< > & " é →` so escaping and UTF-8 are exercised.
    static let errors: [(String, String)] = [
        ("TimeoutError", "upstream litellm timed out after 30s"),
        ("ValueError", "expected <dict> & got 'None'"),
        ("KeyError", "'agent_id'"),
        ("HTTPStatusError", "Server error '502 Bad Gateway' for url 'http://litellm:4000/v1/chat/completions'"),
        ("OperationalError", "(psycopg.OperationalError) connection to server at \"db\" (172.18.0.3), port 5432 failed"),
        ("UnicodeDecodeError", "'utf-8' codec can't decode byte 0xe9 in position 12: café → invalid"),
        ("RateLimitError", "Rate limit reached for gpt-4o in organization org-xyz on tokens per min (TPM)"),
    ]

    /// (file, line, function, source line) of Python stack frames.
    static let frames: [(String, Int, String, String)] = [
        ("/app/agents/executor.py", 214, "execute", "result = await self.runner.run(task)"),
        ("/app/agents/runner.py", 88, "run", "reply = await self.llm.complete(messages, tools=tools)"),
        ("/app/llm/client.py", 131, "complete", "resp = await self._http.post(url, json=payload)"),
        ("/usr/local/lib/python3.12/site-packages/httpx/_client.py", 1574, "send", "response.raise_for_status()"),
        ("/app/api/routes/agents.py", 57, "run_agent", "return await executor.execute(req)"),
        ("/app/db/session.py", 42, "get_session", "async with self._pool.connection() as conn:"),
    ]

    static let oneiricEvents: [String: [String: [String]]] = [
        "oneiric-resolver": ["debug": ["resolver-decision"], "info": ["resolver-decision"],
                             "warning": ["digest-check-failed", "resolver-decision"], "error": ["digest-check-failed"]],
        "oneiric-swap": ["debug": ["swap-prepare"], "info": ["swap-complete"], "warning": ["swap-rollback"],
                         "error": ["swap-failed"]],
        "oneiric-sync": ["debug": ["remote-sync-start"], "info": ["remote-sync-complete"],
                         "warning": ["remote-sync-error"], "error": ["remote-sync-error"]],
        "oneiric-health": ["debug": ["health-check-ok"], "warning": ["health-check-failed"],
                           "error": ["health-check-failed"]],
        "oneiric-lifecycle": ["debug": ["component-state"],
                              "info": ["component-paused", "component-resumed", "component-draining"],
                              "warning": ["component-draining", "component-paused"]],
    ]

    /// Oneiric domains and their (key, provider) pairs.
    static let oneiricDomains: [(String, [(String, String)])] = [
        ("adapter", [("cache.redis", "redis"), ("cache.memcached", "memcached"), ("storage.s3", "s3"),
                     ("storage.gcs", "gcs"), ("queue.nats", "nats")]),
        ("service", [("llm.ollama", "ollama"), ("llm.openai", "openai"), ("search.qdrant", "qdrant")]),
        ("task", [("task.ingest", "celery"), ("task.reindex", "celery"), ("task.digest", "arq")]),
        ("event", [("event.bus", "kafka"), ("event.audit", "nats")]),
        ("workflow", [("workflow.ingest", "temporal"), ("workflow.onboarding", "temporal")]),
    ]

    static let oneiricNotes: [String: [String]] = [
        "resolver-decision": ["selected highest priority candidate", "explicit override from settings",
                              "fallback: primary unavailable"],
        "swap-complete": ["hot swap finished", "swap after config change", "swap requested by operator"],
        "swap-failed": ["new instance failed health probe", "init raised during swap"],
        "swap-rollback": ["rolled back to previous provider", "rollback after failed probe"],
        "component-paused": ["paused by operator", "paused for maintenance window"],
        "component-resumed": ["resumed by operator", "maintenance window closed"],
        "component-draining": ["draining before swap", "draining: 12 in-flight tasks"],
        "component-state": ["state snapshot"],
        "health-check-ok": ["probe ok"],
        "health-check-failed": ["probe timed out", "unexpected status 503", "connection refused"],
        "remote-sync-complete": ["manifest up to date", "pulled 3 new adapters"],
        "remote-sync-error": ["remote returned 502", "signature mismatch"],
        "remote-sync-start": ["polling remote manifest"],
        "digest-check-failed": ["sha256 mismatch", "digest missing from manifest"],
        "swap-prepare": ["warming new instance"],
    ]

    static let oneiricErrors = [
        "TimeoutError: probe exceeded 5s", "ConnectionRefusedError: [Errno 111] Connection refused",
        "ValueError: digest mismatch (expected sha256:ab12…, got sha256:9f00…)",
        "RuntimeError: adapter <cache.redis> refused to start & no fallback",
    ]

    /// systemd-journal messages per unit.
    static let journal: [String: [String]] = [
        "sshd.service": ["Accepted publickey for deploy from {ip} port {port} ssh2: ED25519 SHA256:{hex}",
                         "Connection closed by authenticating user root {ip} port {port} [preauth]",
                         "pam_unix(sshd:session): session opened for user deploy(uid=1000) by (uid=0)"],
        "cron.service": ["(root) CMD (/usr/local/bin/backup.sh --incremental)",
                         "pam_unix(cron:session): session closed for user root"],
        "docker.service": ["time=\"{iso}\" level=info msg=\"ignoring event\" module=libcontainerd namespace=moby topic=/tasks/delete",
                           "time=\"{iso}\" level=warning msg=\"Health check for container {hex} error: context deadline exceeded\""],
        "containerd.service": ["time=\"{iso}\" level=info msg=\"shim disconnected\" id={hex} namespace=moby",
                               "time=\"{iso}\" level=info msg=\"loading plugin \\\"io.containerd.event.v1.publisher\\\"...\" type=io.containerd.event.v1"],
        "kubelet.service": ["I0522 {clock} 1234 kubelet.go:2410] \"SyncLoop (PLEG): event for pod\" pod=\"eap/api-{hex}\"",
                            "E0522 {clock} 1234 pod_workers.go:1298] \"Error syncing pod, skipping\" err=\"failed to \\\"StartContainer\\\"\""],
        "systemd-resolved.service": ["Using degraded feature set UDP instead of UDP+EDNS0 for DNS server 10.0.0.2.",
                                     "Clock change detected. Flushing caches."],
    ]
}
