/// Orders of label sets used to sort query results.
extension Labels {
    /// Prometheus `labels.Compare`: pairwise by name then value (byte order), a prefix sorts first. Metric results
    /// (matrix and vector series) are sorted with it.
    public static func prometheusCompare(_ lhs: Labels, _ rhs: Labels) -> Int {
        let shared = Swift.min(lhs.count, rhs.count)
        for index in 0..<shared {
            let left = lhs[index]
            let right = rhs[index]
            if left.name != right.name { return Labels.nameLess(left.name, right.name) ? -1 : 1 }
            if left.value != right.value { return Labels.nameLess(left.value, right.value) ? -1 : 1 }
        }
        return lhs.count - rhs.count
    }
}
