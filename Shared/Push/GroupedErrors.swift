/// Loki's `util.GroupedErrors`: validation messages collected during a push, rendered into one 400 body.
///
/// A single message seen once is returned verbatim; otherwise each distinct message becomes
/// `"<n> errors like: <message>"`, joined by `"; "` (in order of first appearance).
struct GroupedErrors: Sendable {
    private var order: [String] = []
    private var counts: [String: Int] = [:]

    mutating func add(_ message: String) {
        if let count = counts[message] {
            counts[message] = count + 1
        } else {
            counts[message] = 1
            order.append(message)
        }
    }

    var isEmpty: Bool { order.isEmpty }

    /// The rendered body, or `nil` when nothing was added.
    var message: String? {
        guard let first = order.first else { return nil }
        if order.count == 1, counts[first] == 1 { return first }
        return order.map { "\(counts[$0] ?? 0) errors like: \($0)" }.joined(separator: "; ")
    }
}
