/// A binary heap ordered by a caller-supplied "comes first" predicate (the first element is the one that should be
/// taken next). Used to merge streams in query direction.
struct BinaryHeap<Element> {
    private var items: [Element] = []
    private let comesFirst: (Element, Element) -> Bool

    init(capacity: Int = 0, comesFirst: @escaping (Element, Element) -> Bool) {
        self.comesFirst = comesFirst
        items.reserveCapacity(capacity)
    }

    var isEmpty: Bool { items.isEmpty }
    var count: Int { items.count }
    var first: Element? { items.first }

    mutating func push(_ element: Element) {
        items.append(element)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard comesFirst(items[child], items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Element? {
        guard !items.isEmpty else { return nil }
        let top = items[0]
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            siftDown(from: 0)
        }
        return top
    }

    private mutating func siftDown(from start: Int) {
        var parent = start
        let count = items.count
        while true {
            let left = 2 * parent + 1
            if left >= count { return }
            var best = left
            let right = left + 1
            if right < count, comesFirst(items[right], items[left]) { best = right }
            guard comesFirst(items[best], items[parent]) else { return }
            items.swapAt(best, parent)
            parent = best
        }
    }
}
