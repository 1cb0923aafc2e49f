import Foundation
import HummingbirdWSClient
import Logging
import Synchronization

/// A live-tail WebSocket client for tests (HummingbirdWebSocket's client, 127.0.0.1 only): collects the text
/// frames; ``waitFor(seconds:_:)`` polls them, ``closeFrame()`` waits for the end and returns the server's close.
final class TailClient: Sendable {
    /// The text frames received so far.
    private final class Received: Sendable {
        let texts = Mutex<[String]>([])
    }

    private let received = Received()
    private let task: Task<WebSocketCloseFrame?, any Error>

    init(url: String, tenant: String? = "it-tail", headers: [String: String] = [:]) throws {
        guard url.hasPrefix("ws://127.0.0.1:") else { throw FjordTestError("tests only talk to 127.0.0.1: \(url)") }
        var configuration = WebSocketClientConfiguration(maxFrameSize: 1 << 22)
        if let tenant { configuration.additionalHeaders[.init("X-Scope-OrgID")!] = tenant }
        for (name, value) in headers { configuration.additionalHeaders[.init(name)!] = value }
        let logger = Logger(label: "tail-client")
        task = Task { [received] in
            try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { inbound, _, _ in
                for try await message in inbound.messages(maxSize: 1 << 22) {
                    guard case .text(let text) = message else { continue }
                    received.texts.withLock { $0.append(text) }
                }
            }
        }
    }

    /// The raw text frames so far.
    var texts: [String] { received.texts.withLock { $0 } }

    /// The frames so far, parsed.
    var frames: [[String: Any]] {
        received.texts.withLock { $0 }.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// Polls the frames until `done` holds for them (true) or `seconds` pass (false).
    func waitFor(seconds: Double = 20, _ done: ([[String: Any]]) -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if done(frames) { return true }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return done(frames)
    }

    /// Waits for the connection to end; the server's close frame, if it sent one.
    func closeFrame() async throws -> WebSocketCloseFrame? { try await task.value }

    /// Closes the connection from the client side.
    func stop() { task.cancel() }

    /// Every entry of the frames in arrival order: `(labels, ns, line)`.
    static func entries(_ frames: [[String: Any]]) -> [(labels: [String: String], ns: String, line: String)] {
        var out: [(labels: [String: String], ns: String, line: String)] = []
        for frame in frames {
            for stream in frame["streams"] as? [[String: Any]] ?? [] {
                let labels = stream["stream"] as? [String: String] ?? [:]
                for value in stream["values"] as? [Any] ?? [] {
                    guard let pair = value as? [Any], pair.count >= 2,
                          let ns = pair[0] as? String, let line = pair[1] as? String else { continue }
                    out.append((labels, ns, line))
                }
            }
        }
        return out
    }
}
