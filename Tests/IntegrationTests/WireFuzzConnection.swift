import FjordWire
import Foundation

/// One blocking TCP connection to 127.0.0.1 that sends a ``WireFuzzPlan`` without waiting for answers, while a
/// reader thread decodes whatever the server sends back until it closes. Runs on its own threads (never on Swift's
/// cooperative pool, which the test's other tasks share).
final class WireFuzzConnection: @unchecked Sendable {
    /// How the server's side of the connection ended.
    enum End: String {
        /// The server closed the connection (EOF).
        case closed
        /// The connection was reset (the server closed with our bytes still unread).
        case reset
        /// Nothing arrived for `readTimeout` and the connection stayed open: a hang.
        case hung
        /// The server sent bytes that are not well-formed frames.
        case garbage
    }

    /// What came back.
    struct Outcome {
        var end: End = .closed
        var answers = 0
        /// Frames that end an answer (end of stream or error), the server's hello not counted.
        var finals = 0
        var errorFrames = 0
        /// Whether the server had answered the plan's body-level frames (``WireFuzzPlan/minimumAnswers``) before
        /// the ending was sent; nil for plans without a barrier.
        var barrierMet: Bool?
        var finished = false
        /// Final answers per request id.
        var answeredIDs: [UInt64: Int] = [:]
        /// Codes of error frames for request id 0 (connection-level errors).
        var connectionErrorCodes: Set<UInt16> = []
        var garbage: String?
        /// Frames written before the server stopped reading (a closed socket refuses the rest).
        var framesWritten = 0
    }

    static let readTimeoutSeconds = 20

    private let descriptor: Int32
    private let state = NSCondition()
    private var outcome = Outcome()

    init(port: Int) throws {
        descriptor = try RawHTTPConnection.connect(port: port, timeoutSeconds: WireFuzzConnection.readTimeoutSeconds)
    }

    deinit { close(descriptor) }

    /// Sends the plan's frames (counting each one as it is handed to the kernel), half-closes when the plan says
    /// so, and returns once the reader saw the server's end.
    func run(_ plan: WireFuzzPlan, sent: (Int) -> Void) -> Outcome {
        let reader = Thread { [self] in
            readUntilEnd()
            state.lock()
            outcome.finished = true
            state.broadcast()
            state.unlock()
        }
        reader.stackSize = 1 << 20
        reader.start()
        var written = 0
        var batch: [UInt8] = []
        var batchFrames = 0
        // Frames go out in batches of about 16 KiB: many frames per write, as a busy client sends them.
        func flush() -> Bool {
            defer { batch.removeAll(keepingCapacity: true) }
            guard writeAll(batch) else { return false }
            written += batchFrames
            sent(batchFrames)
            batchFrames = 0
            return true
        }
        var open = true
        for (index, frame) in plan.frames.enumerated() where open {
            batch += frame
            batchFrames += 1
            if batch.count >= 16 << 10 || index + 1 == plan.barrier { open = flush() }
            if open, index + 1 == plan.barrier { awaitAnswers(plan.minimumAnswers) }
        }
        if open, !batch.isEmpty { open = flush() }
        if plan.halfClose { shutdown(descriptor, Int32(SHUT_WR)) }
        state.lock()
        while !outcome.finished { state.wait() }
        var result = outcome
        state.unlock()
        result.framesWritten = written
        return result
    }

    /// Waits until `count` final answers arrived, or the server closed or went quiet; records which.
    private func awaitAnswers(_ count: Int) {
        let deadline = Date().addingTimeInterval(TimeInterval(WireFuzzConnection.readTimeoutSeconds))
        state.lock()
        defer { state.unlock() }
        while outcome.finals < count, !outcome.finished, state.wait(until: deadline) {}
        outcome.barrierMet = outcome.finals >= count
    }

    /// Records what the reader found, under the lock the writer waits on.
    private func record(_ change: (inout Outcome) -> Void) {
        state.lock()
        change(&outcome)
        state.broadcast()
        state.unlock()
    }

    private func writeAll(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { return false }
            offset += count
        }
        return true
    }

    private func readUntilEnd() {
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 {
                let timedOut = count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
                record { outcome in
                    outcome.end = count == 0 ? .closed : timedOut ? .hung : .reset
                    if count == 0, !pending.isEmpty {
                        outcome.end = .garbage
                        outcome.garbage = "the server's stream ends \(pending.count) bytes into a frame"
                    }
                }
                return
            }
            pending += chunk[0..<count]
            do throws(WireError) {
                var offset = 0
                var frames: [WireFrame] = []
                while offset < pending.count {
                    let result = pending.withUnsafeBytes { all in
                        Result { () throws(WireError) -> WireFrameCodec.Decoded in
                            try WireFrameCodec.decode(UnsafeRawBufferPointer(rebasing: all[offset...]), maxFrameBytes: 1 << 30)
                        }
                    }
                    guard case .frame(let frame, let consumed) = try result.get() else { break }
                    offset += consumed
                    frames.append(frame)
                }
                pending.removeFirst(offset)
                record { outcome in
                    for frame in frames { WireFuzzConnection.count(frame, into: &outcome) }
                }
            } catch {
                record { outcome in
                    outcome.end = .garbage
                    outcome.garbage = "the server sent an undecodable frame: \(error)"
                }
                return
            }
        }
    }

    private static func count(_ frame: WireFrame, into outcome: inout Outcome) {
        outcome.answers += 1
        if frame.kind != .hello, frame.isEndOfStream {
            outcome.finals += 1
            outcome.answeredIDs[frame.requestID, default: 0] += 1
        }
        guard frame.kind == .error else { return }
        outcome.errorFrames += 1
        if frame.requestID == 0, frame.body.count >= 2 {
            outcome.connectionErrorCodes.insert(UInt16(frame.body[0]) << 8 | UInt16(frame.body[1]))
        }
    }
}

/// A value shared between two threads under a lock.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func get() -> Value { lock.withLock { value } }
    func set(_ newValue: Value) { lock.withLock { value = newValue } }
    func update<T>(_ body: (inout Value) -> T) -> T { lock.withLock { body(&value) } }
}
