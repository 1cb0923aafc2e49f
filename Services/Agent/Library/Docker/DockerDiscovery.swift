/// Docker service discovery (filled in below).
struct DockerDiscovery: Sendable {
    let scrape: ScrapeConfig
    let config: DockerSDConfig
    let context: SourceContext

    func run() async {}
}
