import FjordModel

/// The structured-metadata section of a block: a symbol table of names and values, the distinct label sets built
/// from them, and one set reference per entry (Loki V4 keeps a per-chunk symbol table; Fjord keeps one per block
/// so every block decodes on its own).
///
/// Raw layout: `uvarint nSymbols, (uvarint len, bytes)*; uvarint nSets, (uvarint nPairs, (uvarint name, uvarint
/// value)*)*; uvarint set+1 per entry (0 = no metadata)`. Empty when no entry has metadata.
enum MetadataTable {
    /// Encodes the batch's metadata; returns the raw section and the total name+value bytes.
    static func encode(_ batch: EntryBatch) -> (raw: [UInt8], metadataBytes: Int) {
        guard !batch.metadata.isEmpty, batch.metadata.contains(where: { !$0.isEmpty }) else { return ([], 0) }
        var symbols: [String: Int] = [:]
        var symbolList: [String] = []
        var sets: [Labels: Int] = [:]
        var setList: [Labels] = []
        var references = ByteWriter(capacity: batch.count)
        var totalBytes = 0
        func symbol(_ text: String) -> Int {
            if let id = symbols[text] { return id }
            let id = symbolList.count
            symbols[text] = id
            symbolList.append(text)
            return id
        }
        for labels in batch.metadata {
            if labels.isEmpty {
                references.uvarint(0)
                continue
            }
            for pair in labels.pairs { totalBytes += pair.name.utf8.count + pair.value.utf8.count }
            if let id = sets[labels] {
                references.uvarint(id + 1)
            } else {
                let id = setList.count
                sets[labels] = id
                setList.append(labels)
                references.uvarint(id + 1)
            }
        }
        var setWriter = ByteWriter()
        setWriter.uvarint(setList.count)
        for labels in setList {
            setWriter.uvarint(labels.count)
            for pair in labels.pairs {
                setWriter.uvarint(symbol(pair.name))
                setWriter.uvarint(symbol(pair.value))
            }
        }
        var writer = ByteWriter()
        writer.uvarint(symbolList.count)
        for text in symbolList { writer.string(text) }
        writer.append(setWriter.bytes)
        writer.append(references.bytes)
        return (writer.bytes, totalBytes)
    }

    /// Decodes the section into one `Labels` per entry, or `[]` when the section is empty.
    static func decode(_ raw: ArraySlice<UInt8>, count: Int) throws(CorruptDataError) -> [Labels] {
        if raw.isEmpty { return [] }
        var reader = ByteReader(raw, context: "block metadata")
        let symbolCount = try reader.count(limit: raw.count, "symbol count")
        var symbolList: [String] = []
        symbolList.reserveCapacity(symbolCount)
        for _ in 0..<symbolCount { symbolList.append(try reader.string()) }
        let setCount = try reader.count(limit: raw.count, "label set count")
        var setList: [Labels] = []
        setList.reserveCapacity(setCount)
        for _ in 0..<setCount {
            let pairCount = try reader.count(limit: raw.count, "pair count")
            var pairs: [LabelPair] = []
            pairs.reserveCapacity(pairCount)
            for _ in 0..<pairCount {
                let name = try reader.count(limit: symbolCount, "symbol reference")
                let value = try reader.count(limit: symbolCount, "symbol reference")
                guard name < symbolCount, value < symbolCount else { throw reader.error("symbol reference out of range") }
                pairs.append(LabelPair(name: symbolList[name], value: symbolList[value]))
            }
            setList.append(Labels(pairs))
        }
        var result: [Labels] = []
        result.reserveCapacity(count)
        for _ in 0..<count {
            let reference = try reader.count(limit: setCount, "label set reference")
            result.append(reference == 0 ? Labels() : setList[reference - 1])
        }
        guard reader.isAtEnd else { throw reader.error("\(reader.remaining) trailing bytes") }
        return result
    }
}
