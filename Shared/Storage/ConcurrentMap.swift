/// Runs `transform` over `items` with at most `limit` calls in flight (object store requests: many chunks or
/// segments at once must not open thousands of files or connections); results keep the order of `items`.
func concurrentMap<Item: Sendable, Result: Sendable>(
    _ items: [Item], limit: Int, _ transform: @escaping @Sendable (Item) async throws -> Result
) async throws -> [Result] {
    precondition(limit > 0, "concurrentMap needs a positive limit, got \(limit)")
    return try await withThrowingTaskGroup(of: (Int, Result).self) { group in
        var results = [Result?](repeating: nil, count: items.count)
        var next = 0
        func start(_ index: Int) {
            group.addTask { (index, try await transform(items[index])) }
        }
        while next < min(limit, items.count) {
            start(next)
            next += 1
        }
        while let (index, result) = try await group.next() {
            results[index] = result
            if next < items.count {
                start(next)
                next += 1
            }
        }
        return results.compactMap { $0 }
    }
}
