/// An object store holding chunks and index segments: the filesystem today, S3-compatible stores later.
///
/// Keys are `/`-separated relative paths (see ``ObjectKey``). Writes are atomic and durable when they return: a
/// reader sees either the whole new object or none of it. Objects are immutable in practice (Fjord never rewrites a
/// key with different content), so implementations need no read-your-writes beyond that.
public protocol ObjectStore: Sendable {
    /// Stores `data` under `key`, replacing any previous object.
    func put(_ key: String, _ data: [UInt8]) async throws
    /// The whole object; throws ``ObjectStoreError`` with kind `.notFound` when absent.
    func get(_ key: String) async throws -> [UInt8]
    /// Bytes `range` of the object, clamped to its end (like an HTTP range request); an empty or out-of-bounds
    /// start throws `.invalidRange`.
    func get(_ key: String, range: Range<Int>) async throws -> [UInt8]
    /// Objects whose key starts with `prefix` (a plain string prefix, not only a directory), sorted by key.
    func list(prefix: String) async throws -> [ObjectInfo]
    /// Removes the object; removing an absent key succeeds (S3 semantics).
    func delete(_ key: String) async throws
    /// True when the object exists.
    func exists(_ key: String) async throws -> Bool
}

/// One listed object.
public struct ObjectInfo: Sendable, Hashable {
    public var key: String
    public var size: Int

    public init(key: String, size: Int) {
        self.key = key
        self.size = size
    }
}

/// A failed object store operation.
public struct ObjectStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case notFound = "not found"
        case invalidKey = "invalid key"
        case invalidRange = "invalid range"
        case io = "I/O error"
    }

    public var kind: Kind
    public var key: String
    public var message: String

    public init(_ kind: Kind, key: String, message: String = "") {
        self.kind = kind
        self.key = key
        self.message = message
    }

    public var description: String {
        message.isEmpty ? "object \(key): \(kind.rawValue)" : "object \(key): \(kind.rawValue): \(message)"
    }
}

/// Rules for object keys, shared by every store so a key valid on the filesystem is valid on S3 and back.
public enum ObjectKey {
    /// The first path segment reserved for a store's temporary files.
    public static let reservedTemporaryDirectory = ".fjord-tmp"

    /// Accepts non-empty relative keys of non-empty segments other than `.` and `..`, without NUL bytes or
    /// backslashes, at most 1024 bytes (S3's limit), not inside ``reservedTemporaryDirectory``.
    public static func validate(_ key: String) throws(ObjectStoreError) {
        func invalid(_ why: String) -> ObjectStoreError { ObjectStoreError(.invalidKey, key: key, message: why) }
        let utf8 = key.utf8
        guard !utf8.isEmpty else { throw invalid("empty key") }
        guard utf8.count <= 1024 else { throw invalid("longer than 1024 bytes") }
        guard utf8.first != UInt8(ascii: "/") else { throw invalid("absolute keys are not allowed") }
        guard !utf8.contains(0), !utf8.contains(UInt8(ascii: "\\")) else { throw invalid("NUL or backslash in key") }
        let segments = key.split(separator: "/", omittingEmptySubsequences: false)
        for segment in segments {
            guard !segment.isEmpty else { throw invalid("empty path segment") }
            guard segment != ".", segment != ".." else { throw invalid("'.' and '..' segments are not allowed") }
        }
        guard segments.first.map(String.init) != reservedTemporaryDirectory else { throw invalid("reserved prefix") }
    }

    /// Validates a listing prefix: empty, or a key prefix that could start valid keys.
    public static func validatePrefix(_ prefix: String) throws(ObjectStoreError) {
        if prefix.isEmpty { return }
        let key = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
        do throws(ObjectStoreError) {
            try validate(key.isEmpty ? "x" : key)
        } catch {
            throw ObjectStoreError(.invalidKey, key: prefix, message: error.message)
        }
    }
}
