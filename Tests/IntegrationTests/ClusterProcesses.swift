import FjordTestSupport
import Foundation
import Synchronization

/// A cluster started by `scripts/cluster-up` (the same script users run) in a temporary directory, stopped with
/// `scripts/cluster-down` (by PID).
final class ClusterProcesses: @unchecked Sendable {
    struct Member: Decodable {
        var role: String
        var id: String
        var pid: Int32
        var url: String
        var internal_address: String
    }

    struct Description: Decodable {
        var gateway_url: String
        var membership_file: String
        var processes: [Member]
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    let directory: URL
    let extraFlags: [String]
    private(set) var description: Description
    /// Processes the test started itself (restarts, added members), stopped by PID at the end.
    private var ownProcesses: [ChildProcess] = []
    private let stopped = Mutex(false)

    var gatewayURL: String { description.gateway_url }

    /// Starts the cluster. cluster-up picks free ports when it runs, and on a busy machine another process can
    /// take one before the role binds it ("Address already in use"): then that attempt is stopped and cluster-up
    /// runs again in a new directory, up to three times.
    init(ingesters: Int = 3, queriers: Int = 2, rulers: Int = 1, extraFlags: [String] = []) async throws {
        self.extraFlags = extraFlags
        (directory, description) = try await ClusterProcesses.up(
            ["--ingesters", "\(ingesters)", "--queriers", "\(queriers)", "--rulers", "\(rulers)", "--"] + extraFlags)
    }

    private static func up(_ arguments: [String]) async throws -> (URL, Description) {
        var attempt = 0
        while true {
            attempt += 1
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fjord-cluster-\(UUID().uuidString)")
            do {
                try await script("cluster-up", [directory.path] + arguments)
                let description = try JSONDecoder().decode(
                    Description.self, from: Data(contentsOf: directory.appendingPathComponent("cluster.json")))
                return (directory, description)
            } catch where attempt < 3 && lostAPortRace(directory) {
                try? await script("cluster-down", [directory.path])
                try? FileManager.default.removeItem(at: directory)
            }
        }
    }

    /// Whether a role of a failed cluster-up found its port taken.
    static func lostAPortRace(_ directory: URL) -> Bool {
        let logs = directory.appendingPathComponent("logs")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: logs.path)) ?? []
        return names.contains { name in
            ((try? String(contentsOf: logs.appendingPathComponent(name), encoding: .utf8)) ?? "").contains("Address already in use")
        }
    }

    /// Runs a script from `scripts/` with the test build's executables and waits for it (up to 5 minutes) without
    /// holding a thread. Its output goes to a file, not a pipe the background children it leaves could hold open.
    static func script(_ name: String, _ arguments: [String]) async throws {
        let (child, output) = try spawnScript(name, arguments)
        defer { try? FileManager.default.removeItem(at: output) }
        if await !child.waitForExit(timeout: .seconds(300)) { child.send(SIGKILL) }
        try checkScript(name, child, output)
    }

    /// ``script(_:_:)`` blocking the calling thread (for clean-up on a thread of its own).
    static func scriptBlocking(_ name: String, _ arguments: [String]) throws {
        let (child, output) = try spawnScript(name, arguments)
        defer { try? FileManager.default.removeItem(at: output) }
        if !child.waitForExitBlocking(timeout: .seconds(300)) { child.send(SIGKILL) }
        try checkScript(name, child, output)
    }

    private static func spawnScript(_ name: String, _ arguments: [String]) throws -> (ChildProcess, URL) {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("fjord-script-\(UUID().uuidString).log")
        var environment = ProcessInfo.processInfo.environment
        environment["FJORD_SKIP_BUILD"] = "1"
        environment["FJORD_BIN_DIR"] = FjordProcess.binary.deletingLastPathComponent().path
        let child = try ChildProcess(root.appendingPathComponent("scripts/\(name)").path, arguments,
                                     environment: environment, output: .file(output.path))
        return (child, output)
    }

    private static func checkScript(_ name: String, _ child: ChildProcess, _ output: URL) throws {
        guard child.exitCode == 0 else {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            throw FjordTestError("scripts/\(name) failed (exit \(child.exitCode.map(String.init) ?? "none")):\n\(text)")
        }
    }

    func member(_ id: String) -> Member? { description.processes.first { $0.id == id } }

    /// kill -9 one member.
    func kill(_ id: String) async {
        guard let member = member(id) else { return }
        Foundation.kill(member.pid, SIGKILL)
        // cluster-up's processes are not our children: wait until the kernel has removed it.
        for _ in 0..<500 where Foundation.kill(member.pid, 0) == 0 { try? await Task.sleep(nanoseconds: 10_000_000) }
    }

    /// Starts `fjord-<role>` for member `id` with the flags cluster-up uses (same ports and directories).
    func start(role: String, id: String, httpPort: Int, internalAddress: String) async throws {
        let internalPort = internalAddress.split(separator: ":").last.map(String.init) ?? "0"
        let arguments = [
            "-server.http-listen-address=127.0.0.1", "-server.http-listen-port=\(httpPort)",
            "-server.internal-listen-address=127.0.0.1", "-server.internal-listen-port=\(internalPort)",
            "-common.path-prefix=\(directory.path)/\(id)", "-local.chunk-directory=\(directory.path)/store",
            "-ring.membership-file=\(description.membership_file)", "-ring.replication-factor=3", "-ring.instance-id=\(id)",
        ] + (["gateway", "ruler"].contains(role) ? FjordProcess.insecureDefaults : []) + extraFlags
        let log = directory.appendingPathComponent("logs/\(id)-restart.log")
        let process = try ChildProcess(
            FjordProcess.binary.deletingLastPathComponent().appendingPathComponent("fjord-\(role)").path, arguments,
            output: .file(log.path))
        ownProcesses.append(process)
        for _ in 0..<300 {
            if let (status, _) = try? await HTTP.request("GET", "http://127.0.0.1:\(httpPort)/ready"), status == 200 { return }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        throw FjordTestError("\(id) did not become ready: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
    }

    /// Restarts a member killed earlier, on its original ports.
    func restart(_ id: String) async throws {
        guard let member = member(id), let port = Int(member.url.split(separator: ":").last ?? "") else {
            throw FjordTestError("no member \(id)")
        }
        try await start(role: member.role, id: id, httpPort: port, internalAddress: member.internal_address)
    }

    /// Stops everything: SIGTERM to every process at once (so nothing outlives the test run even if it ends
    /// first), then, on a thread of its own, waits for them, runs `scripts/cluster-down` (SIGKILL after 20 s) and
    /// removes the directory. Safe to call more than once.
    func down() {
        let first = stopped.withLock { stopped -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        let own = ownProcesses.filter(\.isRunning)
        for process in own { process.send(SIGTERM) }
        for member in description.processes { Foundation.kill(member.pid, SIGTERM) }
        let directory = directory
        OffPool.detach {
            for process in own { process.stopBlocking() }
            try? ClusterProcesses.scriptBlocking("cluster-down", [directory.path])
            try? FileManager.default.removeItem(at: directory)
        }
    }

    deinit { down() }
}
