import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A cluster started by `scripts/cluster-up DIR` (the script developers and tests use): what it wrote to
/// `DIR/cluster.json`.
struct ClusterDescription: Decodable, Sendable {
    struct Member: Decodable, Sendable {
        var role: String
        var id: String
        var pid: Int32
        var url: String
    }

    var gateway_url: String
    var processes: [Member]
}

/// Runs `scripts/cluster-up` and `scripts/cluster-down` of a Fjord checkout with prebuilt executables
/// (`FJORD_BIN_DIR`, `FJORD_SKIP_BUILD=1`).
struct ClusterScripts {
    /// The repository root (where `scripts/` is).
    let repository: String
    /// Where the `fjord-*` executables are.
    let binDirectory: String

    /// Starts the topology in `directory` (which must not hold a running cluster); `flags` go to every role.
    func up(directory: String, ingesters: Int, queriers: Int, rulers: Int = 0, replicationFactor: Int, flags: [String])
        throws -> ClusterDescription {
        try run("cluster-up", [directory, "--ingesters", "\(ingesters)", "--queriers", "\(queriers)", "--rulers",
                               "\(rulers)", "--replication-factor", "\(replicationFactor)", "--"] + flags,
                log: directory + "-up.log")
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/cluster.json"))
        return try JSONDecoder().decode(ClusterDescription.self, from: data)
    }

    /// Stops exactly the processes `up` started (the script sends SIGTERM, then SIGKILL after 20 s).
    func down(directory: String) throws {
        try run("cluster-down", [directory], log: directory + "-down.log")
    }

    /// Runs a script to its end with output to `log` (a file, never a pipe: the roles it starts in the background
    /// would hold a pipe open). posix_spawn and waitpid rather than Foundation's `Process`, which was seen to miss
    /// the exit of these scripts (they leave background children behind).
    private func run(_ name: String, _ arguments: [String], log: String, timeout: Double = 600) throws {
        let script = repository + "/scripts/" + name
        guard FileManager.default.isExecutableFile(atPath: script) else {
            throw ServerProcessError(message: "\(script) not found; give --repo with the Fjord checkout")
        }
        var environment = ProcessInfo.processInfo.environment
        environment["FJORD_BIN_DIR"] = binDirectory
        environment["FJORD_SKIP_BUILD"] = "1"
        let argv: [UnsafeMutablePointer<CChar>?] = ([script] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, script, &actions, nil, argv, envp)
        guard spawned == 0 else { throw ServerProcessError(message: "scripts/\(name) could not start: errno \(spawned)") }
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let waited = waitpid(pid, &status, WNOHANG)
            if waited == pid || (waited < 0 && errno != EINTR) { break }
            if Date() > deadline {
                kill(pid, SIGKILL)
                throw ServerProcessError(message: "scripts/\(name) did not finish within \(Int(timeout)) s (log: \(log))")
            }
            usleep(50_000)
        }
        guard status == 0 else {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw ServerProcessError(message: "scripts/\(name) failed (wait status \(status)): \(text.suffix(2000))")
        }
    }
}
