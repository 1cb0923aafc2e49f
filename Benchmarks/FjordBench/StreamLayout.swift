import FjordModel

/// How the lines of one stream look.
enum LineKind: String, Sendable {
    case structlog, uvicornAccess, redisServer, ollamaLogfmt, ollamaGin, celeryANSI, proxyLogfmt, oneiric, packed
    case systemd
}

/// One stream of the benchmark data set: its labels, the shape of its lines and its share of the lines.
struct StreamSpec {
    let labels: Labels
    let labelsString: String
    let kind: LineKind
    /// Relative share of the data set's lines.
    let weight: Double
    /// `service` label, or `app`/`unit` for the other jobs.
    let service: String
    let level: String
    let logger: String
    let container: String
    /// The `tenant_id` label of application streams; others pick one per line from ``tenantPool``.
    let tenantID: String?
    /// Error streams of the API and the workers also log Python tracebacks.
    let logsTracebacks: Bool
    /// Share of this stream's lines that fall into the "incident" window (an error spike).
    let incidentShare: Double
    /// A monotonic counter with rare resets (`pool_checkouts_total`), advanced as lines are written.
    var counter = 0
}

/// The deterministic stream layout: ~240 streams, most of them `job="docker-containers"` structlog services, plus
/// `app="oneiric"`, `job="packed"` and `job="systemd-journal"`.
enum StreamLayout {
    static let tenantPool = [
        "3f6c1b2e-8d4a-4c1e-9b7a-2e5d8c0f1a93", "a1b2c3d4-5e6f-4a8b-9c0d-1e2f3a4b5c6d",
        "7c9e6679-7425-40de-944b-e07fc1f90ae7", "0d4f5e6a-1b2c-4d3e-8f9a-0b1c2d3e4f5a",
    ]

    private static let levelWeight: [String: Double] = [
        "debug": 1.5, "info": 4.0, "warning": 0.8, "error": 0.35, "critical": 0.05,
    ]

    /// A logger: the kind of lines it writes, its levels, per-level weight factors; `application` loggers carry a
    /// `tenant_id` label.
    private struct Logger {
        let name: String
        let kind: LineKind
        let levels: [String]
        let factors: [String: Double]
        var application: Bool { kind == .structlog }
    }

    private static let appLevels = ["debug", "info", "warning", "error"]
    private static let appLevelsCritical = appLevels + ["critical"]

    private static func app(_ name: String, _ levels: [String] = appLevels, _ factors: [String: Double] = [:]) -> Logger {
        Logger(name: name, kind: .structlog, levels: levels, factors: factors)
    }

    /// (service, service weight, containers, loggers).
    private static let dockerServices: [(String, Double, [String], [Logger])] = [
        ("api", 1.0, ["eap-api-1", "eap-api-2", "eap-api-3"], [
            app("app.api.routes.agents", appLevelsCritical), app("app.api.routes.auth"),
            app("app.api.middleware", appLevelsCritical),
            Logger(name: "uvicorn.access", kind: .uvicornAccess, levels: ["info"], factors: ["info": 3.0]),
        ]),
        ("db", 0.8, ["eap-db-1"], [
            app("app.db.session", appLevelsCritical), app("app.db.migrations", ["info", "warning", "error"], ["info": 0.3]),
            Logger(name: "sqlalchemy.engine", kind: .structlog, levels: ["debug", "info", "warning"], factors: [:]),
        ]),
        ("redis", 0.6, ["eap-redis-1"], [
            app("app.cache.redis"),
            Logger(name: "redis.server", kind: .redisServer, levels: ["info", "warning"], factors: ["info": 0.5]),
        ]),
        ("ollama", 0.8, ["eap-ollama-1"], [
            app("app.llm.ollama"),
            Logger(name: "ollama.server", kind: .ollamaLogfmt, levels: ["info", "warning", "error"], factors: [:]),
            Logger(name: "ollama.gin", kind: .ollamaGin, levels: ["info"], factors: ["info": 1.5]),
        ]),
        ("litellm", 1.0, ["eap-litellm-1", "eap-litellm-2"], [app("litellm.proxy"), app("litellm.router")]),
        ("worker", 1.0, ["eap-worker-1", "eap-worker-2"], [
            app("app.worker.tasks", appLevelsCritical), app("app.agents.executor", appLevelsCritical),
            Logger(name: "celery.worker", kind: .celeryANSI, levels: ["info", "error"], factors: ["info": 0.6, "error": 2.0]),
        ]),
        ("proxy", 1.0, ["eap-proxy-1"], [
            Logger(name: "proxy.access", kind: .proxyLogfmt, levels: ["info", "warning", "error"],
                   factors: ["info": 5.0, "warning": 3.0, "error": 3.0]),
        ]),
    ]

    /// Oneiric containers and the levels they log at.
    static let oneiricContainers: [(String, [String])] = [
        ("oneiric-resolver", ["debug", "info", "warning", "error"]),
        ("oneiric-swap", ["debug", "info", "warning", "error"]),
        ("oneiric-sync", ["debug", "info", "warning", "error"]),
        ("oneiric-health", ["debug", "warning", "error"]),
        ("oneiric-lifecycle", ["debug", "info", "warning"]),
    ]

    static let systemdUnits = ["sshd.service", "cron.service", "docker.service", "containerd.service",
                               "kubelet.service", "systemd-resolved.service"]

    static func build(_ random: inout BenchRandom) -> [StreamSpec] {
        var streams: [StreamSpec] = []
        for (service, serviceWeight, containers, loggers) in dockerServices {
            for container in containers {
                for logger in loggers {
                    for level in logger.levels {
                        var labels: [String: String] = [
                            "job": "docker-containers", "service": service, "container": container, "level": level,
                            "logger": logger.name,
                            "logstream": ["warning", "error", "critical"].contains(level)
                                || logger.kind == .uvicornAccess ? "stderr" : "stdout",
                        ]
                        let weight = serviceWeight * (levelWeight[level] ?? 1) * (logger.factors[level] ?? 1)
                        let tracebacks = logger.application && (level == "error" || level == "critical")
                            && (service == "api" || service == "worker")
                        let incident = (level == "error" || level == "critical")
                            && ["api", "litellm", "worker", "proxy"].contains(service) ? 0.4 : 0
                        guard logger.application else {
                            streams.append(spec(labels, logger.kind, weight, service, level, logger.name, container,
                                                nil, tracebacks, incident))
                            continue
                        }
                        // Application loggers log for one to three tenants, each its own stream.
                        let split = level == "critical" ? 1 : (random.chance(0.35) ? 3 : (random.chance(0.7) ? 2 : 1))
                        var tenants: [String] = []
                        while tenants.count < split {
                            let tenant = random.pick(tenantPool)
                            if !tenants.contains(tenant) { tenants.append(tenant) }
                        }
                        for tenant in tenants {
                            labels["tenant_id"] = tenant
                            streams.append(spec(labels, .structlog, weight / Double(split), service, level, logger.name,
                                                container, tenant, tracebacks, incident))
                        }
                    }
                }
            }
        }
        for (container, levels) in oneiricContainers {
            for level in levels {
                let labels = ["app": "oneiric", "environment": "production", "container": container, "level": level]
                streams.append(spec(labels, .oneiric, 0.9 * (levelWeight[level] ?? 1), "oneiric", level, "", container,
                                    nil, false, 0))
            }
        }
        for (cluster, source) in [("eu-west-1", "promtail-pack"), ("us-east-1", "promtail-pack"), ("eu-west-1", "vector")] {
            let labels = ["job": "packed", "cluster": cluster, "namespace": "eap", "source": source]
            streams.append(spec(labels, .packed, 1.2, "packed", "info", "", "", nil, false, 0))
        }
        for host in ["node-1", "node-2"] {
            for unit in systemdUnits {
                let labels = ["job": "systemd-journal", "host": host, "unit": unit]
                streams.append(spec(labels, .systemd, 0.25, unit, "info", "", host, nil, false, 0))
            }
        }
        return streams
    }

    private static func spec(
        _ labels: [String: String], _ kind: LineKind, _ weight: Double, _ service: String, _ level: String,
        _ logger: String, _ container: String, _ tenant: String?, _ tracebacks: Bool, _ incident: Double
    ) -> StreamSpec {
        let set = Labels(labels)
        return StreamSpec(
            labels: set, labelsString: set.canonicalString, kind: kind, weight: weight, service: service, level: level,
            logger: logger, container: container, tenantID: tenant, logsTracebacks: tracebacks, incidentShare: incident)
    }
}
