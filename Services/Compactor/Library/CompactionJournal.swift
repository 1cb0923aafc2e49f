import FjordCompression
import FjordStorage
import Foundation

/// The compactor's records in the object store, beside each tenant's data:
///
/// - `<tenant>/compactor/job.json` (``CompactionJob``): written before a pass changes anything, deleted when it is
///   done. A compactor that finds one finishes it (every new segment exists: roll forward) or undoes it.
/// - `<tenant>/compactor/markers/<created ns, 16 hex>-<crc>.json` (``SweepMarker``): chunks that left the index,
///   deleted by the sweeper once `retention_delete_delay` has passed.
/// - `compactor.lock` (``CompactorLockRecord``): which compactor acts, until when.
enum CompactionJournal {
    static func jobKey(tenant: String) -> String { "\(tenant)/compactor/job.json" }
    static func markerPrefix(tenant: String) -> String { "\(tenant)/compactor/markers/" }
    static let lockKey = "compactor.lock"

    static func markerKey(tenant: String, marker: SweepMarker) throws -> String {
        let crc = CRC32CText.of(try encode(marker))
        return markerPrefix(tenant: tenant) + String(format: "%016llx", UInt64(bitPattern: marker.createdAt)) + "-\(crc).json"
    }

    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(value))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], key: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw CorruptDataError(context: key, message: "cannot decode \(T.self): \(error)")
        }
    }
}

/// One pass's intent: enough to finish or undo it after a crash.
struct CompactionJob: Codable, Sendable, Hashable {
    var createdAt: Int64
    /// Chunks the pass writes.
    var newChunks: [String]
    /// Segments the pass writes (the new index of the rewritten periods).
    var newSegments: [String]
    /// Segments the new ones replace; deleted once every new segment exists.
    var oldSegments: [String]
    /// Chunks that leave the index; swept after the delete delay.
    var sweep: [String]
    /// Delete requests to mark processed once the new index is in place.
    var deleteRequests: [String]
}

/// Chunks that left the index at `createdAt`, to delete after the delay.
struct SweepMarker: Codable, Sendable, Hashable {
    var createdAt: Int64
    var chunks: [String]
}

/// The lock object's content.
struct CompactorLockRecord: Codable, Sendable, Hashable {
    var owner: String
    var expiresAt: Int64
}

/// CRC-32C of bytes as 8 hex digits.
enum CRC32CText {
    static func of(_ bytes: [UInt8]) -> String {
        String(format: "%08x", CRC32C.checksum(bytes))
    }
}
