/// The `static_configs` of one scrape config: relabels each static target, expands its `__path__` glob (minus
/// `__path_exclude__`) every `target_config.sync_period`, and starts a ``FileTailer`` for every new file.
struct FileTargetManager: Sendable {
    let scrape: ScrapeConfig
    let syncPeriodNanos: Int64
    let context: SourceContext

    /// One static target after relabelling: its glob, exclusion and the labels its entries carry.
    struct Target: Sendable {
        var pattern: String
        var exclude: String
        var labels: [String: String]
    }

    static func targets(_ scrape: ScrapeConfig) -> [Target] {
        var out: [Target] = []
        for config in scrape.staticConfigs {
            for address in config.targets.isEmpty ? ["localhost"] : config.targets {
                var discovered = config.labels
                discovered["__address__"] = address
                guard let labels = Relabeler.process(discovered, scrape.relabelConfigs),
                      let pattern = labels["__path__"], !pattern.isEmpty else { continue }
                out.append(Target(pattern: pattern, exclude: labels["__path_exclude__"] ?? "",
                                  labels: labels.filter { !$0.key.hasPrefix("__") }))
            }
        }
        return out
    }

    func run() async {
        let targets = FileTargetManager.targets(scrape)
        await withTaskGroup(of: Void.self) { group in
            while !Task.isCancelled {
                for target in targets {
                    for path in FileGlob.expand(target.pattern, exclude: target.exclude) {
                        let key = "file:" + path
                        guard await !context.registry.isActive(key) else { continue }
                        await context.registry.register(key, TargetInfo(job: scrape.jobName, kind: "file", name: path,
                                                                         labels: target.labels.merging(["filename": path]) { $1 },
                                                                         state: "ready"))
                        let (labels, stages, context) = (target.labels, scrape.pipelineStages, context)
                        group.addTask {
                            let tailer = FileTailer(path: path, key: path, labels: labels, stages: stages, context: context)
                            await tailer.run()
                            await context.registry.unregister(key)
                        }
                    }
                }
                AgentMetrics.activeFiles(await context.registry.fileCount)
                if !(await pause(syncPeriodNanos)) { break }
            }
            group.cancelAll()
            await group.waitForAll()
        }
    }
}
