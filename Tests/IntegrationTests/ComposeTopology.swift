import Foundation
import Yams

/// The Fjord services of a docker-compose file (`compose/microservices`), read with Yams, and the rewriting that runs
/// them as local processes: service host names and ports become 127.0.0.1 and free ports, paths under `/etc/fjord`
/// become a scratch directory, and compose's `environment` is expanded into the config files (processes started by
/// ``FjordProcess`` inherit the test's environment, so `${VAR}` placeholders are filled in here instead).
struct ComposeTopology {
    /// One service that runs a Fjord executable.
    struct Service {
        var name: String
        /// `command`: the executable then its arguments.
        var command: [String]
        var environment: [String: String]
        var dependsOn: [String]
        var executable: String { command.first ?? "" }
    }

    let directory: URL
    /// Fjord services in the file's order.
    let services: [Service]
    /// Non-Fjord services by name, with their image (`minio/minio:…`, `memcached:…`).
    let otherImages: [String: String]

    init(directory: URL) throws {
        self.directory = directory
        let text = try String(contentsOf: directory.appendingPathComponent("docker-compose.yaml"), encoding: .utf8)
        guard let root = try Yams.load(yaml: text) as? [String: Any], let services = root["services"] as? [String: Any] else {
            throw FjordTestError("\(directory.path)/docker-compose.yaml has no services")
        }
        // Yams' dictionaries lose the file's order; compose orders by depends_on anyway.
        var fjord: [Service] = []
        var others: [String: String] = [:]
        for (name, value) in services.sorted(by: { $0.key < $1.key }) {
            guard let body = value as? [String: Any] else { continue }
            let command = (body["command"] as? [Any])?.map { "\($0)" } ?? []
            guard let first = command.first, first.hasPrefix("fjord") else {
                others[name] = body["image"] as? String ?? ""
                continue
            }
            var environment: [String: String] = [:]
            for (key, raw) in body["environment"] as? [String: Any] ?? [:] {
                environment[key] = ComposeTopology.interpolate("\(raw)")
            }
            let dependsOn = (body["depends_on"] as? [String: Any]).map { Array($0.keys) } ?? []
            fjord.append(Service(name: name, command: command.map(ComposeTopology.interpolate), environment: environment,
                                 dependsOn: dependsOn))
        }
        self.services = fjord
        otherImages = others
    }

    /// Services whose Fjord dependencies come first (compose's `depends_on` order).
    var startOrder: [Service] {
        var ordered: [Service] = []
        var placed = Set<String>()
        while ordered.count < services.count {
            let before = ordered.count
            for service in services where !placed.contains(service.name) {
                let fjordDependencies = service.dependsOn.filter { name in services.contains { $0.name == name } }
                if fjordDependencies.allSatisfy(placed.contains) {
                    ordered.append(service)
                    placed.insert(service.name)
                }
            }
            if ordered.count == before { return services }  // a cycle: compose would refuse it too
        }
        return ordered
    }

    /// The name of the non-Fjord service whose image contains `fragment`.
    func service(withImage fragment: String) -> String? {
        otherImages.first { $0.value.contains(fragment) }?.key
    }

    /// Compose's own interpolation of `${VAR:-default}` with the defaults (the test's environment is not the user's).
    static func interpolate(_ text: String) -> String {
        expand(text) { _, fallback in fallback }
    }

    /// Fjord's `-config.expand-env`: `${VAR}` and `${VAR:-default}` from `environment`.
    static func expandEnvironment(_ text: String, _ environment: [String: String]) -> String {
        expand(text) { name, fallback in environment[name].flatMap { $0.isEmpty ? nil : $0 } ?? fallback }
    }

    private static func expand(_ text: String, _ value: (String, String) -> String) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstRange(of: "${"), let close = rest[open.upperBound...].firstIndex(of: "}") {
            out += rest[..<open.lowerBound]
            let body = rest[open.upperBound..<close]
            if let dash = body.firstRange(of: ":-") {
                out += value(String(body[..<dash.lowerBound]), String(body[dash.upperBound...]))
            } else {
                out += value(String(body), "")
            }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    /// `text` with every `from` replaced by its `to`, longest first (so `ingester-1:9095` never eats `ingester-10:9095`).
    static func rewrite(_ text: String, _ replacements: [(from: String, to: String)]) -> String {
        var result = text
        for (from, to) in replacements.sorted(by: { $0.from.count > $1.from.count }) {
            result = result.replacingOccurrences(of: from, with: to)
        }
        return result
    }
}
