public import FjordModel

/// Where a label of a log entry comes from; decides precedence and the `_extracted` renaming (Loki's
/// `LabelCategory`): parsed labels win over structured metadata, which wins over stream labels.
enum LabelCategory: UInt8 {
    case stream = 0
    case structuredMetadata = 1
    case parsed = 2
}

/// The labels of the entry being processed, kept as byte ranges (Loki's `LabelsBuilder`).
///
/// The stream labels are fixed per processor; structured metadata and parsed labels are appended per entry into a
/// reused arena and indexed by a small hash table, so parsers add labels without allocating. Only when an entry
/// leaves the pipeline are the labels turned into a ``Labels`` value (``materialize()``), with a cache so that
/// identical label sets share one value.
final class LabelState {
    struct Entry {
        var nameStart: Int32
        var nameLength: Int32
        var valueStart: Int32
        var valueLength: Int32
        var hash: UInt64
        var category: LabelCategory
        var alive: Bool
        /// Next entry in the same hash bucket, or -1.
        var next: Int32
    }

    struct BaseEntry {
        var nameStart: Int
        var nameLength: Int
        var valueStart: Int
        var valueLength: Int
        var hash: UInt64
    }

    /// The stream labels.
    let stream: Labels
    private let baseArena = ByteArena(capacity: 256)
    @exclusivity(unchecked) private(set) var baseEntries: [BaseEntry] = []

    /// Per-entry label bytes (names and values of `entries`, deleted names).
    let arena = ByteArena(capacity: 2048)
    @exclusivity(unchecked) private(set) var entries: [Entry] = []
    @exclusivity(unchecked) private var deleted: [(start: Int, length: Int, hash: UInt64)] = []

    /// Number of structured-metadata entries added for this entry (lets parsers skip the metadata collision check).
    @exclusivity(unchecked) private(set) var metadataCount = 0

    /// `__error__` and `__error_details__` (empty = not set).
    @exclusivity(unchecked) var errorType = ""
    @exclusivity(unchecked) var errorDetails = ""

    // Hash buckets: heads[bucket] is valid only when stamps[bucket] == generation.
    @exclusivity(unchecked) private var heads: UnsafeMutablePointer<Int32>
    @exclusivity(unchecked) private var stamps: UnsafeMutablePointer<UInt32>
    @exclusivity(unchecked) private var bucketMask: Int
    @exclusivity(unchecked) private var generation: UInt32 = 1

    private let cache = LabelsCache()
    @exclusivity(unchecked) private var refs: [LabelRef] = []
    @exclusivity(unchecked) private var keyed: [(UInt64, LabelRef)] = []

    init(stream: Labels) {
        self.stream = stream
        for pair in stream {
            let nameStart = baseArena.count
            baseArena.append(pair.name)
            let valueStart = baseArena.count
            baseArena.append(pair.value)
            let nameLength = valueStart - nameStart
            let hash = Bytes.hash(baseArena.bytes(nameStart, nameLength))
            baseEntries.append(BaseEntry(nameStart: nameStart, nameLength: nameLength, valueStart: valueStart,
                                         valueLength: baseArena.count - valueStart, hash: hash))
        }
        let buckets = 64
        bucketMask = buckets - 1
        heads = .allocate(capacity: buckets)
        stamps = .allocate(capacity: buckets)
        stamps.initialize(repeating: 0, count: buckets)
        heads.initialize(repeating: -1, count: buckets)
        entries.reserveCapacity(32)
    }

    deinit {
        heads.deallocate()
        stamps.deallocate()
    }

    // MARK: - Reset

    /// Clears everything but the stream labels.
    @inline(__always)
    func reset() {
        if !entries.isEmpty {
            entries.removeAll(keepingCapacity: true)
            generation &+= 1
            if generation == 0 { resetStamps() }
        }
        arena.reset()
        metadataCount = 0
        if !deleted.isEmpty { deleted.removeAll(keepingCapacity: true) }
        errorType = ""
        errorDetails = ""
    }

    private func resetStamps() {
        stamps.update(repeating: 0, count: bucketMask + 1)
        generation = 1
    }

    /// True when nothing was added, deleted or flagged: the labels are exactly the stream labels.
    var isUnchanged: Bool { entries.isEmpty && deleted.isEmpty && errorType.isEmpty && errorDetails.isEmpty }
    var hasError: Bool { !errorType.isEmpty }
    var hasAdditions: Bool { !entries.isEmpty }
    var hasDeletions: Bool { !deleted.isEmpty }

    // MARK: - Byte access

    @inline(__always)
    func name(of entry: Entry) -> UnsafeRawBufferPointer { arena.bytes(Int(entry.nameStart), Int(entry.nameLength)) }

    @inline(__always)
    func value(of entry: Entry) -> UnsafeRawBufferPointer { arena.bytes(Int(entry.valueStart), Int(entry.valueLength)) }

    @inline(__always)
    func baseName(_ index: Int) -> UnsafeRawBufferPointer {
        baseArena.bytes(baseEntries[index].nameStart, baseEntries[index].nameLength)
    }

    @inline(__always)
    func baseValue(_ index: Int) -> UnsafeRawBufferPointer {
        baseArena.bytes(baseEntries[index].valueStart, baseEntries[index].valueLength)
    }

    // MARK: - Lookups

    /// Index of the stream label `name`, or nil.
    @inline(__always)
    func baseIndex(_ name: UnsafeRawBufferPointer, hash: UInt64) -> Int? {
        for index in baseEntries.indices where baseEntries[index].hash == hash {
            if Bytes.equal(baseName(index), name) { return index }
        }
        return nil
    }

    /// Loki's `BaseHas`: the stream labels contain `name`.
    @inline(__always)
    func baseHas(_ name: UnsafeRawBufferPointer, hash: UInt64) -> Bool { baseIndex(name, hash: hash) != nil }

    /// The live (not deleted or superseded) added entry named `name`.
    @inline(__always)
    func aliveEntry(_ name: UnsafeRawBufferPointer, hash: UInt64) -> Int? {
        if entries.isEmpty { return nil }
        let bucket = Int(truncatingIfNeeded: hash) & bucketMask
        guard stamps[bucket] == generation else { return nil }
        var index = heads[bucket]
        while index >= 0 {
            let entry = entries[Int(index)]
            if entry.alive, entry.hash == hash, Bytes.equal(self.name(of: entry), name) { return Int(index) }
            index = entry.next
        }
        return nil
    }

    /// Loki's `ParserLabelHints().Extracted`: a parser already set `name` on this entry (even if it was deleted
    /// since), so later parsers must not overwrite it.
    func wasExtracted(_ name: UnsafeRawBufferPointer, hash: UInt64) -> Bool {
        if entries.isEmpty { return false }
        let bucket = Int(truncatingIfNeeded: hash) & bucketMask
        guard stamps[bucket] == generation else { return false }
        var index = heads[bucket]
        while index >= 0 {
            let entry = entries[Int(index)]
            if entry.category == .parsed, entry.hash == hash, Bytes.equal(self.name(of: entry), name) { return true }
            index = entry.next
        }
        return false
    }

    /// True if a live label of `category` is named `name` (Loki's `HasInCategory`).
    func hasInCategory(_ name: UnsafeRawBufferPointer, hash: UInt64, _ category: LabelCategory) -> Bool {
        guard let index = aliveEntry(name, hash: hash) else { return false }
        return entries[index].category == category
    }

    @inline(__always)
    private func isDeleted(_ name: UnsafeRawBufferPointer, hash: UInt64) -> Bool {
        for item in deleted where item.hash == hash {
            if Bytes.equal(arena.bytes(item.start, item.length), name) { return true }
        }
        return false
    }

    /// Loki's `Get`: the value of `name` (added labels first, then stream labels unless deleted). The pointer is
    /// valid until the next mutation.
    @inline(__always)
    func get(_ name: UnsafeRawBufferPointer, hash: UInt64) -> UnsafeRawBufferPointer? {
        if let index = aliveEntry(name, hash: hash) { return value(of: entries[index]) }
        if !deleted.isEmpty, isDeleted(name, hash: hash) { return nil }
        if let index = baseIndex(name, hash: hash) { return baseValue(index) }
        return nil
    }

    @inline(__always)
    func get(_ name: ByteString) -> UnsafeRawBufferPointer? { get(name.bytes, hash: name.hash) }

    /// The category of the label `name` as `get` would find it.
    func category(of name: UnsafeRawBufferPointer, hash: UInt64) -> LabelCategory? {
        if let index = aliveEntry(name, hash: hash) { return entries[index].category }
        if !deleted.isEmpty, isDeleted(name, hash: hash) { return nil }
        return baseIndex(name, hash: hash) != nil ? .stream : nil
    }

    // MARK: - Mutations

    /// Loki's `Set`: stores `name=value` in `category` unless a category with higher precedence holds `name`.
    /// `name` and `value` must not point into ``arena``.
    func set(_ category: LabelCategory, name: UnsafeRawBufferPointer, hash: UInt64, value: UnsafeRawBufferPointer) {
        switch category {
        case .parsed:
            kill(name, hash: hash, category: .structuredMetadata)
            kill(name, hash: hash, category: .stream)
        case .structuredMetadata:
            kill(name, hash: hash, category: .stream)
            if hasInCategory(name, hash: hash, .parsed) { return }
        case .stream:
            if hasInCategory(name, hash: hash, .structuredMetadata) || hasInCategory(name, hash: hash, .parsed) { return }
        }
        if let index = aliveEntry(name, hash: hash), entries[index].category == category {
            let valueStart = arena.append(value)
            entries[index].valueStart = Int32(valueStart)
            entries[index].valueLength = Int32(value.count)
            return
        }
        let nameStart = arena.append(name)
        let valueStart = arena.append(value)
        appendEntry(Entry(nameStart: Int32(nameStart), nameLength: Int32(name.count), valueStart: Int32(valueStart),
                          valueLength: Int32(value.count), hash: hash, category: category, alive: true, next: -1))
    }

    /// The parsers' insertion: does nothing and returns false when a parser already set `name` on this entry
    /// (first occurrence wins); otherwise behaves like `set(.parsed, …)`. One walk of the hash chain.
    @inline(__always)
    func addParsedIfAbsent(name: UnsafeRawBufferPointer, hash: UInt64, value: UnsafeRawBufferPointer) -> Bool {
        if !entries.isEmpty {
            let bucket = Int(truncatingIfNeeded: hash) & bucketMask
            if stamps[bucket] == generation {
                var index = heads[bucket]
                var shadowed = false
                while index >= 0 {
                    let entry = entries[Int(index)]
                    if entry.hash == hash, Bytes.equal(self.name(of: entry), name) {
                        if entry.category == .parsed { return false }
                        if entry.alive { shadowed = true }
                    }
                    index = entry.next
                }
                if shadowed {
                    kill(name, hash: hash, category: .structuredMetadata)
                    kill(name, hash: hash, category: .stream)
                }
            }
        }
        let nameStart = arena.append(name)
        let valueStart = arena.append(value)
        appendEntry(Entry(nameStart: Int32(nameStart), nameLength: Int32(name.count), valueStart: Int32(valueStart),
                          valueLength: Int32(value.count), hash: hash, category: .parsed, alive: true, next: -1))
        return true
    }

    /// True when `name` collides with a stream label or structured metadata, so a parsed label must become
    /// `<name>_extracted`.
    @inline(__always)
    func collides(_ name: UnsafeRawBufferPointer, hash: UInt64) -> Bool {
        if baseHas(name, hash: hash) { return true }
        return metadataCount > 0 && hasInCategory(name, hash: hash, .structuredMetadata)
    }

    func set(_ category: LabelCategory, name: ByteString, value: UnsafeRawBufferPointer) {
        set(category, name: name.bytes, hash: name.hash, value: value)
    }

    /// Loki's `Add` for structured metadata: a name that is also a stream label becomes `<name>_extracted`;
    /// `__error__` / `__error_details__` set the error instead.
    func addStructuredMetadata(_ metadata: Labels, scratch: ByteArena) {
        for pair in metadata {
            scratch.reset()
            scratch.append(pair.name)
            var name = scratch.bytes(0, scratch.count)
            if baseHas(name, hash: Bytes.hash(name)) {
                scratch.append(ExtractedSuffix.text)
                name = scratch.bytes(0, scratch.count)
            }
            if Bytes.equal(name, ErrorLabels.error.bytes) {
                errorType = pair.value
                continue
            }
            if Bytes.equal(name, ErrorLabels.details.bytes) {
                errorDetails = pair.value
                continue
            }
            let valueStart = scratch.count
            scratch.append(pair.value)
            name = scratch.bytes(0, valueStart)
            set(.structuredMetadata, name: name, hash: Bytes.hash(name), value: scratch.bytes(from: valueStart))
            metadataCount += 1
        }
    }

    /// Loki's `Del`: removes `name` from every category and hides the stream label.
    func delete(_ name: UnsafeRawBufferPointer, hash: UInt64) {
        kill(name, hash: hash, category: nil)
        let start = arena.append(name)
        deleted.append((start, name.count, hash))
    }

    private func kill(_ name: UnsafeRawBufferPointer, hash: UInt64, category: LabelCategory?) {
        if entries.isEmpty { return }
        let bucket = Int(truncatingIfNeeded: hash) & bucketMask
        guard stamps[bucket] == generation else { return }
        var index = heads[bucket]
        while index >= 0 {
            let entry = entries[Int(index)]
            if entry.alive, entry.hash == hash, category == nil || entry.category == category,
               Bytes.equal(self.name(of: entry), name) {
                entries[Int(index)].alive = false
            }
            index = entry.next
        }
    }

    private func appendEntry(_ entry: Entry) {
        var entry = entry
        if entries.count >= (bucketMask + 1) * 2 { growBuckets() }
        let bucket = Int(truncatingIfNeeded: entry.hash) & bucketMask
        entry.next = stamps[bucket] == generation ? heads[bucket] : -1
        stamps[bucket] = generation
        heads[bucket] = Int32(entries.count)
        entries.append(entry)
    }

    private func growBuckets() {
        let buckets = (bucketMask + 1) * 4
        heads.deallocate()
        stamps.deallocate()
        heads = .allocate(capacity: buckets)
        stamps = .allocate(capacity: buckets)
        heads.initialize(repeating: -1, count: buckets)
        stamps.initialize(repeating: 0, count: buckets)
        bucketMask = buckets - 1
        generation = 1
        for index in entries.indices {
            let bucket = Int(truncatingIfNeeded: entries[index].hash) & bucketMask
            entries[index].next = stamps[bucket] == generation ? heads[bucket] : -1
            stamps[bucket] = generation
            heads[bucket] = Int32(index)
        }
    }

    // MARK: - Visible labels

    /// Calls `body` for every label the entry currently has, in no particular order, without the error labels:
    /// stream labels not deleted or superseded, structured metadata, parsed labels (Loki's `Range`).
    func forEachVisible(_ body: (_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Void) {
        for index in baseEntries.indices {
            let entry = baseEntries[index]
            let name = baseName(index)
            if !deleted.isEmpty, isDeleted(name, hash: entry.hash) { continue }
            if let added = aliveEntry(name, hash: entry.hash) {
                if entries[added].category == .stream { body(name, value(of: entries[added])) }
                continue
            }
            body(name, baseValue(index))
        }
        for entry in entries where entry.alive && entry.category != .stream {
            body(name(of: entry), value(of: entry))
        }
    }

    // MARK: - Materialisation

    /// The entry's labels as a ``Labels`` value: visible labels plus `__error__` / `__error_details__`
    /// (Loki's `LabelsResult`).
    func materialize() -> Labels {
        if isUnchanged { return stream }
        refs.removeAll(keepingCapacity: true)
        for index in baseEntries.indices {
            let entry = baseEntries[index]
            let name = baseName(index)
            if !deleted.isEmpty, isDeleted(name, hash: entry.hash) { continue }
            if let added = aliveEntry(name, hash: entry.hash) {
                if entries[added].category == .stream { refs.append(.entry(added)) }
                continue
            }
            refs.append(.base(index))
        }
        for index in entries.indices where entries[index].alive && entries[index].category != .stream {
            refs.append(.entry(index))
        }
        if !errorType.isEmpty { refs.append(.error) }
        if !errorDetails.isEmpty { refs.append(.errorDetails) }
        return build()
    }

    /// The labels grouped for a sample (Loki's `GroupedLabels`): an entry with an error keeps all labels,
    /// `noLabels` gives `{}`, `by` keeps the listed labels, `without` removes them.
    func grouped(_ grouping: SampleGrouping) -> Labels {
        if hasError { return materialize() }
        if grouping.noLabels { return Labels() }
        if grouping.names.isEmpty { return materialize() }
        refs.removeAll(keepingCapacity: true)
        if grouping.without {
            for index in baseEntries.indices {
                let entry = baseEntries[index]
                let name = baseName(index)
                if !deleted.isEmpty, isDeleted(name, hash: entry.hash) { continue }
                if aliveEntry(name, hash: entry.hash) != nil { continue }
                if grouping.contains(name, hash: entry.hash) { continue }
                refs.append(.base(index))
            }
            for index in entries.indices where entries[index].alive {
                if grouping.contains(self.name(of: entries[index]), hash: entries[index].hash) { continue }
                refs.append(.entry(index))
            }
        } else {
            for group in grouping.names {
                if !deleted.isEmpty, isDeleted(group.bytes, hash: group.hash) { continue }
                if let index = aliveEntry(group.bytes, hash: group.hash) {
                    refs.append(.entry(index))
                } else if let index = baseIndex(group.bytes, hash: group.hash) {
                    refs.append(.base(index))
                }
            }
        }
        return build()
    }

    private enum LabelRef {
        case base(Int)
        case entry(Int)
        case error
        case errorDetails
    }

    @inline(__always)
    private func nameBytes(_ ref: LabelRef) -> UnsafeRawBufferPointer {
        switch ref {
        case .base(let index): return baseName(index)
        case .entry(let index): return name(of: entries[index])
        case .error: return ErrorLabels.error.bytes
        case .errorDetails: return ErrorLabels.details.bytes
        }
    }

    /// The first eight bytes of a name, big-endian, so that integer order is byte order.
    @inline(__always)
    private static func sortKey(_ name: UnsafeRawBufferPointer) -> UInt64 {
        var key: UInt64 = 0
        let count = min(name.count, 8)
        for index in 0..<count { key |= UInt64(name[index]) << UInt64(56 - 8 * index) }
        return key
    }

    private func build() -> Labels {
        if refs.count > 1 {
            keyed.removeAll(keepingCapacity: true)
            for ref in refs { keyed.append((LabelState.sortKey(nameBytes(ref)), ref)) }
            keyed.sort { lhs, rhs in
                if lhs.0 != rhs.0 { return lhs.0 < rhs.0 }
                return Bytes.less(nameBytes(lhs.1), nameBytes(rhs.1))
            }
            for index in refs.indices { refs[index] = keyed[index].1 }
        }
        // Remove duplicate names (only possible through odd inputs such as a parsed `__error__` field).
        var write = 0
        for read in refs.indices {
            if write > 0, Bytes.equal(nameBytes(refs[write - 1]), nameBytes(refs[read])) { continue }
            refs[write] = refs[read]
            write += 1
        }
        refs.removeLast(refs.count - write)

        let useCache = !cache.isBypassing()
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        if useCache {
            for ref in refs {
                hash = LabelsCache.mix(hash, nameBytes(ref))
                switch ref {
                case .base(let index): hash = LabelsCache.mix(hash, baseValue(index))
                case .entry(let index): hash = LabelsCache.mix(hash, value(of: entries[index]))
                case .error: hash = LabelsCache.mix(hash, errorType)
                case .errorDetails: hash = LabelsCache.mix(hash, errorDetails)
                }
            }
            if let cached = cache.lookup(hash, matches: { matches($0) }) { return cached }
        }
        var pairs: [LabelPair] = []
        pairs.reserveCapacity(refs.count)
        for ref in refs {
            switch ref {
            case .base(let index): pairs.append(stream[index])
            case .entry(let index):
                pairs.append(LabelPair(name: Bytes.string(name(of: entries[index])),
                                       value: Bytes.string(value(of: entries[index]))))
            case .error: pairs.append(LabelPair(name: ErrorLabels.error.string, value: errorType))
            case .errorDetails: pairs.append(LabelPair(name: ErrorLabels.details.string, value: errorDetails))
            }
        }
        let labels = Labels(sortedPairs: pairs)
        if useCache { cache.insert(hash, labels) }
        return labels
    }

    private func matches(_ labels: Labels) -> Bool {
        guard labels.count == refs.count else { return false }
        for (position, ref) in refs.enumerated() {
            let pair = labels[position]
            switch ref {
            case .base(let index):
                if pair != stream[index] { return false }
            case .entry(let index):
                guard Bytes.equal(name(of: entries[index]), pair.name),
                      Bytes.equal(value(of: entries[index]), pair.value) else { return false }
            case .error:
                if pair.name != ErrorLabels.error.string || pair.value != errorType { return false }
            case .errorDetails:
                if pair.name != ErrorLabels.details.string || pair.value != errorDetails { return false }
            }
        }
        return true
    }
}

/// The names of Loki's error labels.
enum ErrorLabels {
    static let error = ByteString("__error__")
    static let details = ByteString("__error_details__")
    static let preserve = ByteString("__preserve_error__")
}

/// The suffix a parsed label gets when its name is taken by a stream label or structured metadata.
enum ExtractedSuffix {
    static let text = "_extracted"
}
