import Foundation

/// The discovery labels of a container from `GET /containers/json`, as Prometheus' and Promtail's Docker discovery
/// name them (`__meta_docker_container_id`, `_name`, `_network_mode`, `_label_<name>`, the first network's
/// `__meta_docker_network_*`). Pure.
public enum DockerMetaLabels {
    public static func labels(_ container: JSONValue, port: Int) -> [String: String] {
        var labels: [String: String] = [:]
        let id = container["Id"]?.stringValue ?? ""
        labels["__meta_docker_container_id"] = id
        labels["__meta_docker_container_name"] = container["Names"]?.arrayValue?.first?.stringValue ?? ""
        labels["__meta_docker_container_network_mode"] = container["HostConfig"]?["NetworkMode"]?.stringValue ?? ""
        for (name, value) in container["Labels"]?.objectMembers ?? [] {
            labels["__meta_docker_container_label_" + sanitize(name)] = value.text
        }
        if let (network, settings) = container["NetworkSettings"]?["Networks"]?.objectMembers?.sorted(by: { $0.0 < $1.0 }).first {
            labels["__meta_docker_network_name"] = network
            labels["__meta_docker_network_id"] = settings["NetworkID"]?.stringValue ?? ""
            let ip = settings["IPAddress"]?.stringValue ?? ""
            labels["__meta_docker_network_ip"] = ip
            if !ip.isEmpty { labels["__address__"] = "\(ip):\(port)" }
        }
        return labels
    }

    /// Prometheus' `strutil.SanitizeLabelName`: every character outside `[a-zA-Z0-9_]` becomes `_`.
    public static func sanitize(_ name: String) -> String {
        String(name.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_")
                ? Character(scalar) : "_"
        })
    }

    /// The `filters` query parameter: Docker's JSON map of filter name → values, URL-encoded.
    public static func filtersQuery(_ filters: [(name: String, values: [String])]) -> String {
        guard !filters.isEmpty else { return "" }
        var merged: [(String, [String])] = []
        for filter in filters {
            if let index = merged.firstIndex(where: { $0.0 == filter.name }) {
                merged[index].1 += filter.values
            } else {
                merged.append((filter.name, filter.values))
            }
        }
        let json = JSONValue.object(merged.map { ($0.0, .array($0.1.map { .string($0) })) }).json
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return "filters=" + (json.addingPercentEncoding(withAllowedCharacters: allowed) ?? json)
    }
}

/// One scrape config's `docker_sd_configs` entry: lists the running containers every `refresh_interval` and follows
/// the logs of each new one (``DockerContainerTarget``).
struct DockerDiscovery: Sendable {
    let scrape: ScrapeConfig
    let config: DockerSDConfig
    let context: SourceContext

    func run() async {
        guard let socket = config.socketPath else { return }
        let client = DockerEngineClient(socketPath: socket)
        let query = DockerMetaLabels.filtersQuery(config.filters)
        await withTaskGroup(of: Void.self) { group in
            while !Task.isCancelled {
                do {
                    let containers = try await client.getJSON("/containers/json" + (query.isEmpty ? "" : "?" + query))
                    for container in containers.arrayValue ?? [] {
                        guard let id = container["Id"]?.stringValue, !id.isEmpty else { continue }
                        let key = "docker:" + id
                        guard await !context.registry.isActive(key) else { continue }
                        let meta = DockerMetaLabels.labels(container, port: config.port)
                        var shown = Relabeler.process(meta.merging(["__meta_docker_container_log_stream": "stdout"]) { $1 },
                                                      scrape.relabelConfigs) ?? [:]
                        shown = shown.filter { !$0.key.hasPrefix("__") }
                        var info = TargetInfo(job: scrape.jobName, kind: "docker", name: id, labels: shown, state: "ready")
                        info.details["name"] = meta["__meta_docker_container_name"] ?? ""
                        await context.registry.register(key, info)
                        let target = DockerContainerTarget(id: id, meta: meta, scrape: scrape, client: client, context: context)
                        group.addTask {
                            await target.run()
                            await context.registry.unregister(key)
                        }
                    }
                } catch {
                    context.logger.warning("cannot list Docker containers", metadata: ["socket": "\(socket)", "error": "\(error)"])
                }
                if !(await pause(config.refreshIntervalNanos)) { break }
            }
            group.cancelAll()
            await group.waitForAll()
        }
    }
}
