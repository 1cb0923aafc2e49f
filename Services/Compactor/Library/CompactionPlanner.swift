/// Decides which index tables to compact from a listing of the object store. Pure: keys in, work out.
///
/// Each flush writes one index segment per tenant and period (`<tenant>/index/index_<period>/<segment>`); a table
/// with two or more segments is worth merging into one.
public struct CompactionPlanner: Sendable {
    /// One tenant's index table.
    public struct Table: Sendable, Hashable, Comparable {
        public var tenant: String
        public var period: Int64

        public init(tenant: String, period: Int64) {
            self.tenant = tenant
            self.period = period
        }

        public static func < (lhs: Table, rhs: Table) -> Bool {
            (lhs.tenant, lhs.period) < (rhs.tenant, rhs.period)
        }
    }

    /// Fewest segments in a table before it is compacted.
    public var minSegments: Int

    public init(minSegments: Int = 2) {
        precondition(minSegments >= 2, "CompactionPlanner.minSegments must be at least 2, got \(minSegments)")
        self.minSegments = minSegments
    }

    /// The tables holding at least `minSegments` segments, in tenant then period order.
    public func tablesToCompact(keys: [String], segmentExtension: String) -> [Table] {
        var counts: [Table: Int] = [:]
        for key in keys where key.hasSuffix(segmentExtension) {
            let parts = key.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 4, parts[1] == "index", parts[2].hasPrefix("index_"),
                  let period = Int64(parts[2].dropFirst("index_".count)) else { continue }
            counts[Table(tenant: String(parts[0]), period: period), default: 0] += 1
        }
        return counts.filter { $0.value >= minSegments }.map(\.key).sorted()
    }
}
