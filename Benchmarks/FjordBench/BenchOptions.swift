import Foundation

/// A bad command line.
struct OptionsError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// The command line of `fjord-bench`.
struct BenchOptions: Sendable {
    enum Command: String, Sendable { case run, cluster, wire, dataset, selftest, frontend, help }

    var command: Command = .run
    var fjordBinary: String?
    var dataDirectory: String?
    var url: String?
    var pid: Int32?
    var tenant: String? = "fake"
    var lines = 1_000_000
    var seed: UInt64 = 20_260_522
    var base: Int64?
    var batch = 1000
    var concurrency = 4
    var repeats = 5
    var flush = true
    var stableSeconds = 5.0
    var flushTimeout = 300.0
    var queryableTimeout = 600.0
    var jsonOutput: String?
    var markdownOutput: String?
    var label: String?
    var serverArguments: [String] = []
    var serverLog: String?
    var skipPush = false
    /// Nice value for every thread of the server and of the benchmark (nil: leave them alone).
    var renice: Int32?
    var skipQueries = false
    /// `frontend`: hours of data and query range (a multiple of 3).
    var hours = 24
    /// `frontend`: the cluster sizes (queriers) to measure besides the all-in-one.
    var queriers = [1, 2]
    /// `frontend`: where the fjord-* executables are (default: the directory of --fjord-binary).
    var binDirectoryOption: String?

    var binDirectory: String {
        binDirectoryOption ?? (fjordBinary.map { ($0 as NSString).deletingLastPathComponent } ?? ".build/release")
    }
    /// `cluster`: the checkout whose `scripts/` start the cluster, its size, and whether to skip the all-in-one
    /// comparison (the executables come from ``binDirectory``).
    var repository = "."
    var ingesters = 3
    var replicationFactor = 3
    var skipAllInOne = false
    /// `wire`: round trips per measurement.
    var roundTrips = 100_000

    static let usage = """
    fjord-bench: measures a Fjord (or any Loki-compatible server) through its HTTP API.

    fjord-bench [run] (--fjord-binary PATH --data-dir EMPTY_DIR | --url URL [--pid PID] [--data-dir DIR]) [options]
    fjord-bench cluster --bin-dir DIR --data-dir NEW_DIR [--repo CHECKOUT] [options]
                                                    push throughput through a loopback cluster's gateway
                                                    (scripts/cluster-up: 3 ingesters, RF 3), then through the
                                                    all-in-one fjord with the same requests
    fjord-bench wire [--round-trips N]              wire protocol cost per frame: codec and loopback round trips
    fjord-bench dataset [--lines N] [--seed S]      generate and encode only; print the data set's figures
    fjord-bench selftest                            offline checks of the generator, encoder and HTTP client
    fjord-bench frontend --fjord-binary PATH --data-dir DIR [--hours 24] [--queriers 1,2] [--lines N] [--repeat R]
                                                    results cache and splitting: a long-range metric query uncached
                                                    vs cached, all-in-one vs clusters of 1 and N queriers
                                                    (run from the repository root: uses scripts/cluster-up)

    options:
      --lines N             log lines to push (default 1000000)
      --seed S              data set seed (default 20260522)
      --base UNIX_S         start of the 3 h the data covers (default: the hour 4 h ago)
      --batch N             lines per push request (default 1000)
      --concurrency C       concurrent keep-alive pushers (default 4)
      --repeat R            runs of each query (default 5)
      --tenant T            X-Scope-OrgID to send (default fake); --no-tenant sends none
      --no-flush            do not POST /flush before measuring disk
      --stable-seconds S    disk size must stay unchanged this long after /flush (default 5)
      --flush-timeout S     give up waiting for a stable disk size after S seconds (default 300)
      --queryable-timeout S give up waiting until every line is countable after S seconds (default 600)
      --server-arg ARG      extra flag for a server started with --fjord-binary (repeatable)
      --server-log PATH     its output (default DATA_DIR.log)
      --skip-push           do not push (the server already holds the same --seed/--lines/--base data)
      --skip-queries        stop after the disk measurement
      --renice N            keep every thread of the server and the benchmark at nice N (e.g. -10 on a
                            shared machine; negative values need root); reported in the results
      --hours H             frontend: hours of data and query range, a multiple of 3 (default 24)
      --queriers LIST       frontend: cluster sizes to measure, comma-separated (default 1,2)
      --bin-dir DIR         cluster, frontend: directory of fjord and the fjord-* executables (default: that of
                            --fjord-binary, else .build/release)
      --repo DIR            cluster, frontend: the Fjord checkout whose scripts/cluster-up and cluster-down to use
                            (default .)
      --ingesters N         cluster: ingesters to start (default 3)
      --replication-factor N  cluster: replication factor (default 3)
      --skip-all-in-one     cluster: measure only the cluster
      --round-trips N       wire: requests per round-trip measurement (default 100000)
      --label TEXT          name of the run in the report
      --out FILE.json       write the full report as JSON
      --md FILE.md          write the Markdown summary
    """

    static func parse(_ arguments: [String]) throws(OptionsError) -> BenchOptions {
        var options = BenchOptions()
        var rest = arguments[...]
        if let first = rest.first, let command = Command(rawValue: first) {
            options.command = command
            rest = rest.dropFirst()
        }
        while let argument = rest.popFirst() {
            var name = argument
            var inline: String?
            if let equals = argument.firstIndex(of: "="), argument.hasPrefix("--") {
                name = String(argument[..<equals])
                inline = String(argument[argument.index(after: equals)...])
            }
            func value() throws(OptionsError) -> String {
                if let inline { return inline }
                guard let next = rest.popFirst() else { throw OptionsError(message: "\(name) needs a value") }
                return next
            }
            func number<T: LosslessStringConvertible>(_: T.Type) throws(OptionsError) -> T {
                let text = try value()
                guard let parsed = T(text) else { throw OptionsError(message: "\(name): not a number: \(text)") }
                return parsed
            }
            switch name {
            case "--help", "-h": options.command = .help
            case "--fjord-binary": options.fjordBinary = try value()
            case "--data-dir": options.dataDirectory = try value()
            case "--url": options.url = try value()
            case "--pid": options.pid = try number(Int32.self)
            case "--tenant": options.tenant = try value()
            case "--no-tenant": options.tenant = nil
            case "--lines": options.lines = try number(Int.self)
            case "--seed": options.seed = try number(UInt64.self)
            case "--base": options.base = try number(Int64.self)
            case "--batch": options.batch = try number(Int.self)
            case "--concurrency": options.concurrency = try number(Int.self)
            case "--repeat": options.repeats = try number(Int.self)
            case "--flush": options.flush = true
            case "--no-flush": options.flush = false
            case "--stable-seconds": options.stableSeconds = try number(Double.self)
            case "--flush-timeout": options.flushTimeout = try number(Double.self)
            case "--queryable-timeout": options.queryableTimeout = try number(Double.self)
            case "--out": options.jsonOutput = try value()
            case "--md": options.markdownOutput = try value()
            case "--label": options.label = try value()
            case "--server-arg": options.serverArguments.append(try value())
            case "--server-log": options.serverLog = try value()
            case "--skip-push": options.skipPush = true
            case "--renice": options.renice = try number(Int32.self)
            case "--skip-queries": options.skipQueries = true
            case "--hours": options.hours = try number(Int.self)
            case "--queriers":
                let text = try value()
                options.queriers = text.split(separator: ",").compactMap { Int($0) }
                guard options.queriers.allSatisfy({ $0 > 0 }) else { throw OptionsError(message: "--queriers: \(text)") }
            case "--bin-dir": options.binDirectoryOption = try value()
            case "--repo": options.repository = try value()
            case "--ingesters": options.ingesters = try number(Int.self)
            case "--replication-factor": options.replicationFactor = try number(Int.self)
            case "--skip-all-in-one": options.skipAllInOne = true
            case "--round-trips": options.roundTrips = try number(Int.self)
            default: throw OptionsError(message: "unknown option \(argument)\n\n\(usage)")
            }
        }
        guard options.lines > 0, options.batch > 0, options.concurrency > 0, options.repeats > 0 else {
            throw OptionsError(message: "--lines, --batch, --concurrency and --repeat must be positive")
        }
        if options.command == .cluster {
            guard options.dataDirectory != nil else {
                throw OptionsError(message: "cluster needs --data-dir NEW_DIR (and --bin-dir DIR)\n\n\(usage)")
            }
            guard options.ingesters > 0, (1...options.ingesters).contains(options.replicationFactor) else {
                throw OptionsError(message: "--ingesters must be positive and --replication-factor between 1 and it")
            }
        }
        guard options.roundTrips > 0 else { throw OptionsError(message: "--round-trips must be positive") }
        if options.command == .frontend {
            guard options.hours > 0, options.hours % 3 == 0 else { throw OptionsError(message: "--hours must be a multiple of 3") }
            guard options.fjordBinary != nil else { throw OptionsError(message: "frontend needs --fjord-binary") }
        }
        if options.command == .run {
            if options.fjordBinary != nil {
                guard options.url == nil, options.pid == nil else {
                    throw OptionsError(message: "give either --fjord-binary (start a server) or --url/--pid (measure one)")
                }
                guard options.dataDirectory != nil else {
                    throw OptionsError(message: "--fjord-binary needs --data-dir (an empty directory for the server)")
                }
            } else if options.url == nil {
                throw OptionsError(message: "give --fjord-binary PATH --data-dir DIR or --url URL\n\n\(usage)")
            }
        }
        return options
    }
}
