import FjordTestCertificates
import FjordTestSupport
import Foundation
import Testing

/// `compose/microservices` as local processes: the compose file's Fjord services (gateway, 3 ingesters, 2 queriers,
/// compactor) with their own command lines and the same config files and membership file, addresses rewritten to
/// 127.0.0.1 and free ports; moto stands in for MinIO and a local memcached for the memcached container; the gateway
/// serves TLS with test certificates and authenticates a bearer token, as the compose `init` service sets it up.
/// Pushes and queries go through the gateway.
@Suite(.serialized) struct ComposeTopologyTests {
    static let composeDirectory = ClusterProcesses.root.appendingPathComponent("compose/microservices")

    /// Ports are picked free and bound later by the services; another test may take one in between ("Address
    /// already in use"), so such an attempt is run again with new ports, as `ClusterProcesses` does.
    @Test func microservicesTopologyAnswersThroughTheTLSGateway() async throws {
        for attempt in 1...3 {
            do {
                try await runTopology()
                return
            } catch let error where attempt < 3 && "\(error)".contains("Address already in use") {
                print("compose topology attempt \(attempt): a port was taken before its service bound it; again with new ports")
            }
        }
    }

    private func runTopology() async throws {
        let topology = try ComposeTopology(directory: Self.composeDirectory)
        let roles = topology.services.map(\.executable)
        #expect(roles.filter { $0 == "fjord-ingester" }.count == 3 && roles.filter { $0 == "fjord-querier" }.count == 2)
        #expect(roles.contains("fjord-gateway") && roles.contains("fjord-compactor"))

        let directory = try FjordProcess.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificates = try TestCertificates()
        defer { certificates.remove() }

        // What the compose `init` service writes into ./secrets: the gateway's certificate and a credentials file.
        let secrets = directory.appendingPathComponent("secrets")
        let credentials = try CredentialsFixture(directory: secrets, entries: [
            .token("demo", ["demo=push,query,tail,delete"], admin: true),
        ], create: true)
        for (source, target) in [("server.pem", "gateway.crt"), ("server.key", "gateway.key"), ("ca.pem", "ca.pem")] {
            try FileManager.default.copyItem(atPath: certificates.path(source), toPath: secrets.appendingPathComponent(target).path)
        }

        // The containers the Fjord services depend on: moto for MinIO, memcached.
        let moto = try await MotoServer()
        defer { moto.stop() }
        let memcached = try MemcachedProcess()
        try await memcached.start()
        defer { memcached.stop() }

        // Addresses: every service's wire (9095) and HTTP (3100) port, the store, the cache; paths: the scratch dir.
        var ports: [String: (http: Int, wire: Int)] = [:]
        var taken = Set<Int>()
        func port() throws -> Int {
            var candidate = try FjordProcess.freePort()
            while taken.contains(candidate) { candidate = try FjordProcess.freePort() }
            taken.insert(candidate)
            return candidate
        }
        for service in topology.services { ports[service.name] = (try port(), try port()) }
        var replacements: [(from: String, to: String)] = [
            ("/etc/fjord/config", directory.appendingPathComponent("config").path),
            ("/etc/fjord/secrets", secrets.path),
            ("/var/lib/fjord", directory.appendingPathComponent("var").path),
        ]
        for (name, (http, wire)) in ports {
            replacements += [("\(name):9095", "127.0.0.1:\(wire)"), ("\(name):3100", "127.0.0.1:\(http)")]
        }
        let store = try #require(topology.service(withImage: "minio/minio"), "compose has no MinIO service")
        let cache = try #require(topology.service(withImage: "memcached"), "compose has no memcached service")
        replacements += [("\(store):9000", "127.0.0.1:\(moto.port)"), ("\(cache):11211", memcached.address)]

        // The bucket the configs name (compose's minio-bucket service makes it with mc).
        let ingesterConfig = try String(contentsOf: Self.composeDirectory.appendingPathComponent("config/ingester.yaml"), encoding: .utf8)
        let bucket = try #require(ingesterConfig.split(separator: "\n").first { $0.contains("bucketnames:") }?
            .split(separator: ":").last?.trimmingCharacters(in: .whitespaces))
        #expect(try await HTTP.request("PUT", moto.endpoint + "/" + bucket).0 == 200)

        // Config files: rewritten copies, placeholders filled from each service's compose environment (all share one).
        let environment = topology.services.first?.environment ?? [:]
        let configDirectory = directory.appendingPathComponent("config")
        try FileManager.default.createDirectory(at: configDirectory, withIntermediateDirectories: true)
        for file in try FileManager.default.contentsOfDirectory(atPath: Self.composeDirectory.appendingPathComponent("config").path)
        where file.hasSuffix(".yaml") {
            let text = try String(contentsOf: Self.composeDirectory.appendingPathComponent("config/\(file)"), encoding: .utf8)
            let rewritten = ComposeTopology.rewrite(ComposeTopology.expandEnvironment(text, environment), replacements)
            try rewritten.write(to: configDirectory.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
        // Nothing in the rewritten files still names a compose host, a container path or a placeholder.
        for file in try FileManager.default.contentsOfDirectory(atPath: configDirectory.path) {
            let text = try String(contentsOf: configDirectory.appendingPathComponent(file), encoding: .utf8)
            for (from, _) in replacements where text.contains(from) { Issue.record("\(file) still names \(from)") }
            #expect(!text.contains("${"), "\(file) still has a placeholder")
        }

        // Start in compose's dependency order, each with its own command line (flags win over the file).
        var processes: [String: FjordProcess] = [:]
        defer { for process in processes.values { process.stop() } }
        for service in topology.startOrder {
            guard let (_, wire) = ports[service.name] else { continue }
            let arguments = service.command.dropFirst().map { ComposeTopology.rewrite($0, replacements) } + [
                "-server.internal-listen-address=127.0.0.1", "-server.internal-listen-port=\(wire)",
            ]
            let isGateway = service.executable == "fjord-gateway"
            let process = try FjordProcess(dataDirectory: directory.appendingPathComponent(service.name), port: ports[service.name]?.http,
                                           arguments: arguments, executable: service.executable, defaults: [],
                                           tlsCA: isGateway ? certificates.path("ca.pem") : nil)
            try FileManager.default.createDirectory(at: process.dataDirectory, withIntermediateDirectories: true)
            processes[service.name] = process
            try await process.start()
        }
        let gateway = try #require(topology.services.first { $0.executable == "fjord-gateway" }.flatMap { processes[$0.name] })
        #expect(gateway.baseURL.hasPrefix("https://"))
        let ca = certificates.path("ca.pem")
        let headers = credentials.headers("demo")

        // Without credentials: 401. Then a push of 30 lines in 3 streams.
        let now = (Int64(Date().timeIntervalSince1970) - 10) * 1_000_000_000  // 10 s back: deletes may not reach the future
        let streams = (0..<3).map { stream in
            #"{"stream":{"app":"compose","pod":"p\#(stream)"},"values":["# + (0..<10).map { line in
                #"["\#(now + Int64(stream * 10 + line) * 1_000_000)","line \#(stream)-\#(line) via the compose topology"]"#
            }.joined(separator: ",") + "]}"
        }
        let body = Data(#"{"streams":[\#(streams.joined(separator: ","))]}"#.utf8)
        var answer = try Curl.request("POST", gateway.baseURL + "/loki/api/v1/push", caFile: ca,
                                      headers: ["Content-Type": "application/json"], body: body)
        #expect(answer.status == 401, "\(answer)")
        answer = try Curl.request("POST", gateway.baseURL + "/loki/api/v1/push", caFile: ca,
                                  headers: headers.merging(["Content-Type": "application/json"]) { $1 }, body: body)
        #expect(answer.status == 204, "push: \(answer)\n\(gateway.log.suffix(3000))")

        // Queries through the gateway: every line once (RF 3 copies merged), a metric over them, the labels.
        let start = now - 60_000_000_000
        let end = now + 60_000_000_000
        func query(_ path: String, _ parameters: String) throws -> Curl.Answer {
            try Curl.request("GET", gateway.baseURL + path + "?" + parameters, caFile: ca, headers: headers)
        }
        let selector = HTTP.escape(#"{app="compose"}"#)
        answer = try query("/loki/api/v1/query_range", "query=\(selector)&start=\(start)&end=\(end)&limit=100")
        #expect(answer.status == 200, "\(answer)")
        let lines = answer.body.components(separatedBy: "via the compose topology").count - 1
        #expect(lines == 30, "query_range returned \(lines) lines: \(answer.body.prefix(2000))")
        let metric = HTTP.escape(#"sum(count_over_time({app="compose"}[5m]))"#)
        answer = try query("/loki/api/v1/query", "query=\(metric)&time=\(end)")
        #expect(answer.status == 200 && answer.body.contains(#""30""#), "\(answer)")
        answer = try query("/loki/api/v1/label/pod/values", "start=\(start)&end=\(end)")
        #expect(answer.status == 200 && ["p0", "p1", "p2"].allSatisfy { answer.body.contains("\"\($0)\"") }, "\(answer)")

        // A range metric query over older lines (older than the cache's freshness limit) is cached in memcached,
        // the results cache the gateway's file names.
        let old = (now - 2 * 3_600_000_000_000) / 60_000_000_000 * 60_000_000_000
        let oldValues = (0..<10).map { #"["\#(old + Int64($0) * 60_000_000_000)","old line \#($0)"]"# }.joined(separator: ",")
        answer = try Curl.request("POST", gateway.baseURL + "/loki/api/v1/push", caFile: ca,
                                  headers: headers.merging(["Content-Type": "application/json"]) { $1 },
                                  body: Data(#"{"streams":[{"stream":{"app":"compose-old"},"values":[\#(oldValues)]}]}"#.utf8))
        #expect(answer.status == 204, "push of older lines: \(answer)")
        let oldMetric = HTTP.escape(#"sum(count_over_time({app="compose-old"}[1m]))"#)
        answer = try query("/loki/api/v1/query_range", "query=\(oldMetric)&start=\(old)&end=\(old + 600_000_000_000)&step=60")
        #expect(answer.status == 200 && answer.body.contains(#""1""#), "\(answer)")
        // (The frontend writes to the cache after answering: poll briefly.)
        var stats = ""
        var items: Int?
        for _ in 0..<25 {
            stats = try Subprocess.run("/bin/bash", ["-c",
                "exec 3<>/dev/tcp/127.0.0.1/\(memcached.port); printf 'stats\\r\\nquit\\r\\n' >&3; cat <&3"]).1
            items = stats.split(separator: "\r\n").first { $0.hasPrefix("STAT curr_items ") }.flatMap { Int($0.split(separator: " ").last ?? "") }
            if (items ?? 0) > 0 { break }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        #expect((items ?? 0) > 0, "memcached holds no results: \(stats.prefix(500))")

        // Flush every ingester to the S3 store (moto): chunks land in the bucket, answers stay the same.
        answer = try Curl.request("POST", gateway.baseURL + "/flush", caFile: ca, headers: headers)
        #expect(answer.status == 204, "flush: \(answer)")
        let (status, listing) = try await HTTP.request("GET", moto.endpoint + "/" + bucket)
        #expect(status == 200 && String(decoding: listing, as: UTF8.self).contains("<Key>"), "bucket is empty after flush")
        answer = try query("/loki/api/v1/query_range", "query=\(selector)&start=\(start)&end=\(end)&limit=100")
        #expect(answer.body.components(separatedBy: "via the compose topology").count - 1 == 30, "after flush: \(answer.body.prefix(2000))")
        // A delete request reaches the compactor at the address the gateway's file names; queriers hide the lines.
        let nowSeconds = now / 1_000_000_000
        let deletion = HTTP.escape(#"{app="compose", pod="p0"}"#)
        answer = try Curl.request("POST", gateway.baseURL + "/loki/api/v1/delete?query=\(deletion)&start=\(nowSeconds - 60)&end=\(nowSeconds + 1)",
                                  caFile: ca, headers: headers)
        #expect(answer.status == 204, "delete: \(answer)")
        answer = try Curl.request("GET", gateway.baseURL + "/loki/api/v1/delete", caFile: ca, headers: headers)
        #expect(answer.status == 200 && answer.body.contains("p0"), "delete requests: \(answer)")
        // Queriers re-read a tenant's delete requests at most a second old (DeleteRequestCache), so poll briefly.
        var remaining = 0
        for _ in 0..<50 {
            answer = try query("/loki/api/v1/query_range", "query=\(selector)&start=\(start)&end=\(end)&limit=100")
            remaining = answer.body.components(separatedBy: "via the compose topology").count - 1
            if remaining == 20 { break }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        #expect(remaining == 20, "after delete: \(answer.body.prefix(2000))")
        print("compose topology: \(topology.services.count) Fjord processes (\(roles.sorted().joined(separator: ", "))), 30 lines in and out through TLS")
    }
}
