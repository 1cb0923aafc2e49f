extension Ring {
    /// Fraction of the 2^32 key space for which each instance is the first replica (its primary ranges), indexed by
    /// instance index. Sums to 1 for a non-empty ring. Used for balance checks and status pages.
    public func primaryOwnership() -> [Double] {
        var owned = [UInt64](repeating: 0, count: instances.count)
        guard !tokens.isEmpty else { return owned.map { _ in 0 } }
        for position in tokens.indices {
            owned[Int(owners[position])] += rangeSize(endingAt: position)
        }
        return owned.map { Double($0) / 4_294_967_296 }
    }

    /// Fraction of the key space for which each instance is one of the `replicationFactor` replicas. With N ≥ RF
    /// instances the values sum to RF.
    public func replicaOwnership() -> [Double] {
        var owned = [UInt64](repeating: 0, count: instances.count)
        guard !tokens.isEmpty else { return owned.map { _ in 0 } }
        for position in tokens.indices {
            // Keys in [tokens[position-1], tokens[position]) start their walk at `position`.
            let size = rangeSize(endingAt: position)
            let base = position * replicationFactor
            for slot in 0..<replicationFactor {
                let instance = preferences[base + slot]
                if instance < 0 { break }
                owned[Int(instance)] += size
            }
        }
        return owned.map { Double($0) / 4_294_967_296 }
    }

    /// Number of keys whose walk starts at `position`: [previous token, this token), wrapping around 2^32.
    func rangeSize(endingAt position: Int) -> UInt64 {
        let token = UInt64(tokens[position])
        if position == 0 { return token + (1 << 32) - UInt64(tokens[tokens.count - 1]) }
        return token - UInt64(tokens[position - 1])
    }
}
