/// Where the results cache keeps its entries (keys are ``ResultsCacheKey/hashed`` strings, values are
/// ``CacheValueCodec`` bytes).
///
/// A store never fails a query: an entry it cannot read is a miss and an entry it cannot write is dropped, so an
/// unreachable or slow backend degrades queries to uncached ones.
public protocol ResultsCacheStore: Sendable {
    /// The values found for `keys` (missing keys are absent from the answer).
    func fetch(_ keys: [String]) async -> [String: [UInt8]]
    /// Stores the values (best effort).
    func store(_ entries: [(key: String, value: [UInt8])]) async
}
