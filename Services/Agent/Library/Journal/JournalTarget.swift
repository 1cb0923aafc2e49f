/// The systemd journal (filled in below).
struct JournalTarget: Sendable {
    let scrape: ScrapeConfig
    let config: JournalConfig
    let context: SourceContext

    func run() async {}
}
