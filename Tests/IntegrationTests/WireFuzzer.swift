import Foundation

/// Drives ``WireFuzzPlan``s against a live wire port from several threads at once until `target` frames were sent,
/// reconnecting whenever the server closes. Each worker has its own seed, so a failure names a replayable seed.
struct WireFuzzer {
    /// Totals over all connections.
    struct Report {
        var frames = 0
        var connections = 0
        var answers = 0
        var errorFrames = 0
        var ends: [WireFuzzConnection.End: Int] = [:]
        /// Connections that got neither an error frame nor a close.
        var silent: [String] = []
        /// Connections the server left hanging, or answered with bytes that are not frames.
        var failures: [String] = []
        /// Connections that had to be closed by the server itself (a self-evident fatal frame), and how many of
        /// those received the expected connection error code first.
        var fatalEndings: [String: (connections: Int, expectedCodeSeen: Int)] = [:]
        var processDied = false
        /// Connections whose body-level frames were all answered before the ending was sent.
        var answeredConnections = 0
    }

    let port: Int
    let seed: UInt64
    let target: Int
    let workers: Int
    /// Called between connections and by a monitor thread: false once the server process has gone.
    let isAlive: @Sendable () -> Bool

    func run() -> Report {
        let report = LockedBox(Report())
        let sent = LockedBox(0)
        let group = DispatchGroup()
        let stop = LockedBox(false)
        for worker in 0..<workers {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                runWorker(seed: seed &+ UInt64(worker) &* 0x9E37_79B9, report: report, sent: sent, stop: stop)
            }
            thread.stackSize = 4 << 20
            thread.start()
        }
        // Liveness monitor: checks the process every 250 ms while the workers run.
        let monitor = Thread {
            while !stop.get() {
                if !isAlive() {
                    report.update { $0.processDied = true }
                    stop.set(true)
                }
                usleep(250_000)
            }
        }
        monitor.start()
        group.wait()
        stop.set(true)
        var final = report.get()
        final.frames = sent.get()
        return final
    }

    private func runWorker(seed: UInt64, report: LockedBox<Report>, sent: LockedBox<Int>, stop: LockedBox<Bool>) {
        var planner = WireFuzzPlanner(seed: seed)
        var index = 0
        while !stop.get(), sent.get() < target {
            let plan = planner.next()
            index += 1
            let name = "seed \(seed) connection \(index) (\(plan.opening.rawValue) … \(plan.ending.rawValue))"
            let connection: WireFuzzConnection
            do {
                connection = try WireFuzzConnection(port: port)
            } catch {
                report.update { $0.failures.append("\(name): \(error)") }
                stop.set(true)
                return
            }
            let outcome = connection.run(plan) { count in
                let (before, after) = sent.update { total -> (Int, Int) in
                    total += count
                    return (total - count, total)
                }
                if before / 10_000 != after / 10_000 { print("wire fuzz: \(after / 10_000 * 10_000) frames sent") }
            }
            report.update { report in
                report.connections += 1
                report.answers += outcome.answers
                report.errorFrames += outcome.errorFrames
                report.ends[outcome.end, default: 0] += 1
                switch outcome.end {
                case .hung: report.failures.append("\(name): no answer and no close for \(WireFuzzConnection.readTimeoutSeconds) s")
                case .garbage: report.failures.append("\(name): \(outcome.garbage ?? "")")
                case .closed, .reset: break
                }
                if outcome.errorFrames == 0, outcome.end == .hung { report.silent.append(name) }
                // After a valid hello, body-level garbage never ends the connection: all of it gets answered.
                if plan.opening == .hello, outcome.barrierMet != true {
                    var answered = outcome.answeredIDs
                    let unanswered = plan.bodyFrames.filter { frame in
                        guard let count = answered[frame.id], count > 0 else { return true }
                        answered[frame.id] = count - 1
                        return false
                    }
                    let names = unanswered.prefix(8).map { "id \($0.id) \($0.what)" }
                    report.failures.append(
                        "\(name): \(outcome.finals) answers to \(plan.minimumAnswers)+ body-level frames, then \(outcome.end); unanswered: \(names)")
                }
                if outcome.barrierMet == true { report.answeredConnections += 1 }
                if let code = plan.expectedCode {
                    let key = plan.opening == .requestFirst ? "requestFirst" : plan.ending.rawValue
                    var entry = report.fatalEndings[key] ?? (0, 0)
                    entry.connections += 1
                    if outcome.connectionErrorCodes.contains(code) { entry.expectedCodeSeen += 1 }
                    report.fatalEndings[key] = entry
                }
            }
            if !isAlive() { stop.set(true) }
        }
    }
}
