import Foundation
import Synchronization

/// The result of re-reading the membership file.
public enum MembershipReload: Sendable {
    /// Same bytes, or same members (a comment changed).
    case unchanged
    /// A new ring was published.
    case updated(RingSnapshot)
    /// The file could not be read or is invalid; the previous ring stays in use.
    case rejected(MembershipError)
}

/// Keeps the current ``RingSnapshot`` of a membership file and re-reads the file every `pollInterval` (no inotify):
/// changed bytes are parsed, a valid file publishes a new snapshot, a bad one keeps the old ring and is reported.
/// Thread-safe; ``snapshot`` is cheap to call per request.
public final class MembershipWatcher: Sendable {
    public let path: String
    public let replicationFactor: Int
    public let pollInterval: Duration
    private let readFile: @Sendable (String) throws -> [UInt8]
    private let state: Mutex<State>

    private struct State: Sendable {
        var snapshot: RingSnapshot
        /// Bytes of the last file version looked at (accepted or not), to skip unchanged files cheaply.
        var lastBytes: [UInt8]
        var lastError: MembershipError?
    }

    /// Loads the file once; a missing or invalid file at start-up is an error (there is no previous ring to keep).
    public init(path: String, replicationFactor: Int = 3, pollInterval: Duration = .seconds(5),
                readFile: @escaping @Sendable (String) throws -> [UInt8] = MembershipWatcher.readWholeFile)
        throws(MembershipError) {
        self.path = path
        self.replicationFactor = replicationFactor
        self.pollInterval = pollInterval
        self.readFile = readFile
        let bytes: [UInt8]
        do {
            bytes = try readFile(path)
        } catch {
            throw MembershipError("cannot read membership file \(path): \(error)")
        }
        let snapshot = try RingSnapshot.load(bytes: bytes, source: path, replicationFactor: replicationFactor, generation: 1)
        state = Mutex(State(snapshot: snapshot, lastBytes: bytes, lastError: nil))
    }

    /// The ring in use.
    public var snapshot: RingSnapshot { state.withLock { $0.snapshot } }

    /// Why the latest file version was rejected, or nil when the ring matches the file.
    public var lastError: MembershipError? { state.withLock { $0.lastError } }

    /// Re-reads the file now.
    @discardableResult
    public func reload() -> MembershipReload {
        let bytes: [UInt8]
        do {
            bytes = try readFile(path)
        } catch {
            let problem = MembershipError("cannot read membership file \(path): \(error)")
            state.withLock { $0.lastError = problem }
            return .rejected(problem)
        }
        let (unchanged, generation) = state.withLock { ($0.lastBytes == bytes, $0.snapshot.generation) }
        if unchanged { return .unchanged }
        let loaded: RingSnapshot
        do {
            loaded = try RingSnapshot.load(bytes: bytes, source: path, replicationFactor: replicationFactor,
                                           generation: generation + 1)
        } catch {
            state.withLock {
                $0.lastBytes = bytes
                $0.lastError = error
            }
            return .rejected(error)
        }
        return state.withLock { current in
            current.lastBytes = bytes
            current.lastError = nil
            if current.snapshot.membership == loaded.membership { return .unchanged }
            current.snapshot = loaded
            return .updated(loaded)
        }
    }

    /// Polls until the task is cancelled, reporting every change or rejection to `onReload`.
    public func run(onReload: @Sendable (MembershipReload) -> Void = { _ in }) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: pollInterval)
            } catch {
                return
            }
            let outcome = reload()
            if case .unchanged = outcome { continue }
            onReload(outcome)
        }
    }

    /// Reads a whole file with Foundation.
    @Sendable
    public static func readWholeFile(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
