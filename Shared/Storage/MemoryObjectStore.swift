import Synchronization

/// An ``ObjectStore`` in memory, with the same key rules and range semantics as the real stores: for tests and
/// single-process experiments. Counts gets so tests can check caching.
public final class MemoryObjectStore: ObjectStore {
    private let objects = Mutex<[String: [UInt8]]>([:])
    private let getCounter = Atomic<Int>(0)

    public init() {}

    /// Number of `get` calls (whole or ranged) so far.
    public var getCount: Int { getCounter.load(ordering: .relaxed) }

    public func put(_ key: String, _ data: [UInt8]) async throws {
        try ObjectKey.validate(key)
        objects.withLock { $0[key] = data }
    }

    public func get(_ key: String) async throws -> [UInt8] {
        try ObjectKey.validate(key)
        getCounter.add(1, ordering: .relaxed)
        guard let data = objects.withLock({ $0[key] }) else { throw ObjectStoreError(.notFound, key: key) }
        return data
    }

    public func get(_ key: String, range: Range<Int>) async throws -> [UInt8] {
        let data = try await get(key)
        guard range.lowerBound >= 0, range.lowerBound < max(data.count, 1), !range.isEmpty else {
            throw ObjectStoreError(.invalidRange, key: key, message: "\(range) of an object of \(data.count) bytes")
        }
        return Array(data[range.lowerBound..<min(range.upperBound, data.count)])
    }

    public func list(prefix: String) async throws -> [ObjectInfo] {
        try ObjectKey.validatePrefix(prefix)
        return objects.withLock { all in
            all.filter { $0.key.hasPrefix(prefix) }.map { ObjectInfo(key: $0.key, size: $0.value.count) }
        }.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
    }

    public func delete(_ key: String) async throws {
        try ObjectKey.validate(key)
        _ = objects.withLock { $0.removeValue(forKey: key) }
    }

    public func exists(_ key: String) async throws -> Bool {
        try ObjectKey.validate(key)
        return objects.withLock { $0[key] != nil }
    }
}
