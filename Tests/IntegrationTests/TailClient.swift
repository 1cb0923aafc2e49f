import Foundation
import HummingbirdWSClient
import Logging
import Synchronization
import Testing

/// A live-tail WebSocket client for tests (HummingbirdWebSocket's client, 127.0.0.1 only): collects the text
/// frames; ``waitFor(seconds:_:)`` polls them, ``closeFrame(seconds:)`` waits (bounded) for the end and returns the
/// server's close. ``pause()`` stops reading (pings go unanswered, the socket's buffers fill) until ``resume()``,
/// as a stalled client does.
final class TailClient: Sendable {
    /// What the connection has delivered so far.
    private struct State {
        var texts: [String] = []
        var paused = false
        /// Set when the connection ended: the server's close frame (nil if it sent none) or the error.
        var end: Result<WebSocketCloseFrame?, any Error>?
    }

    /// The state, shared with the reading task.
    private final class Shared: Sendable {
        let state = Mutex(State())
    }

    private let shared = Shared()
    private let task: Task<Void, Never>

    init(url: String, tenant: String? = "it-tail", headers: [String: String] = [:]) throws {
        guard url.hasPrefix("ws://127.0.0.1:") else { throw FjordTestError("tests only talk to 127.0.0.1: \(url)") }
        var configuration = WebSocketClientConfiguration(maxFrameSize: 1 << 22)
        if let tenant { configuration.additionalHeaders[.init("X-Scope-OrgID")!] = tenant }
        for (name, value) in headers { configuration.additionalHeaders[.init(name)!] = value }
        let logger = Logger(label: "tail-client")
        task = Task { [shared] in
            do {
                let close = try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) {
                    inbound, _, _ in
                    var messages = inbound.messages(maxSize: 1 << 22).makeAsyncIterator()
                    while true {
                        while shared.state.withLock({ $0.paused }) { try await Task.sleep(nanoseconds: 20_000_000) }
                        guard let message = try await messages.next() else { return }
                        guard case .text(let text) = message else { continue }
                        shared.state.withLock { $0.texts.append(text) }
                    }
                }
                shared.state.withLock { $0.end = .success(close) }
            } catch {
                shared.state.withLock { $0.end = .failure(error) }
            }
        }
    }

    /// The raw text frames so far.
    var texts: [String] { shared.state.withLock { $0.texts } }

    /// The frames so far, parsed.
    var frames: [[String: Any]] {
        texts.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// Whether the connection has ended.
    var ended: Bool { shared.state.withLock { $0.end != nil } }

    /// How the connection ended, for failure messages: "open", the close code and reason, or the error.
    var endDescription: String {
        switch shared.state.withLock({ $0.end }) {
        case nil: "open"
        case .success(let close?): "closed \(close.closeCode) \(close.reason ?? "")"
        case .success(nil): "closed without a close frame"
        case .failure(let error): "failed: \(error)"
        }
    }

    /// Stops reading the connection until ``resume()``.
    func pause() { shared.state.withLock { $0.paused = true } }

    /// Reads again after ``pause()``.
    func resume() { shared.state.withLock { $0.paused = false } }

    /// Polls the frames until `done` holds for them (true) or `seconds` pass, or the connection ended without it
    /// (false).
    func waitFor(seconds: Double = 20, _ done: ([[String: Any]]) -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let ended = self.ended
            if done(frames) { return true }
            if ended { return false }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return done(frames)
    }

    /// Waits at most `seconds` for the connection to end and returns the server's close frame, if it sent one. When
    /// the connection is still open then, records an issue, closes it and returns nil, so a server that never closes
    /// fails the test instead of hanging the run.
    func closeFrame(seconds: Double = 30, sourceLocation: SourceLocation = #_sourceLocation) async throws
        -> WebSocketCloseFrame?
    {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let end = shared.state.withLock({ $0.end }) { return try end.get() }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        if let end = shared.state.withLock({ $0.end }) { return try end.get() }
        Issue.record("the tail connection did not end within \(seconds) s; frames: \(texts)", sourceLocation: sourceLocation)
        stop()
        return nil
    }

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

    /// Every `dropped_entries` item of the frames: `(labels, ns)`.
    static func dropped(_ frames: [[String: Any]]) -> [(labels: [String: String], ns: String)] {
        frames.flatMap { frame in
            (frame["dropped_entries"] as? [[String: Any]] ?? []).map { item in
                (item["labels"] as? [String: String] ?? [:], item["timestamp"] as? String ?? "")
            }
        }
    }
}
