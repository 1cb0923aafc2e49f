import Foundation
import Synchronization

/// What re-reading watched files found.
public enum FileReload<Value: Sendable>: Sendable {
    case unchanged
    case updated(Value)
    /// The files changed but cannot be used; the previous value stays in force.
    case rejected(String)
}

/// A value built from one or more files (credentials, a TLS certificate and key) that is rebuilt when their bytes
/// change. A version that fails to parse keeps the previous value, so a half-written file never locks clients out.
public final class WatchedFiles<Value: Sendable>: Sendable {
    public let paths: [String]
    private let build: @Sendable ([[UInt8]]) throws -> Value
    private let state: Mutex<(value: Value, bytes: [[UInt8]])>

    /// Reads and builds the value once; failing here is a start-up error (there is no previous value).
    public init(paths: [String], build: @escaping @Sendable ([[UInt8]]) throws -> Value) throws {
        self.paths = paths
        self.build = build
        let bytes = try WatchedFiles.read(paths)
        state = Mutex((try build(bytes), bytes))
    }

    /// The value in force.
    public var value: Value { state.withLock { $0.value } }

    /// Re-reads the files now.
    public func reload() -> FileReload<Value> {
        let bytes: [[UInt8]]
        do {
            bytes = try WatchedFiles.read(paths)
        } catch {
            return .rejected("\(error)")
        }
        if state.withLock({ $0.bytes == bytes }) { return .unchanged }
        do {
            let value = try build(bytes)
            state.withLock { $0 = (value, bytes) }
            return .updated(value)
        } catch {
            // Remember the bad version so it is reported once, not at every poll.
            state.withLock { $0.bytes = bytes }
            return .rejected("\(error)")
        }
    }

    private static func read(_ paths: [String]) throws -> [[UInt8]] {
        try paths.map { path in
            do {
                return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                throw StartupError("cannot read \(path): \((error as NSError).localizedDescription)")
            }
        }
    }
}

/// A start-up or reload problem with a message meant for the operator.
public struct StartupError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
