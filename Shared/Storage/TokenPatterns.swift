extension LineTransform {
    /// Conditions a line containing `needle` puts on its packed hex digits (tokens section): one entry per hex run of
    /// the needle that the encoder must have packed, listing alternative byte patterns of which at least one occurs
    /// in the line's tokens. An empty result means the needle says nothing about the tokens.
    ///
    /// `years` are the years (UTC) of the entries that may contain the needle, e.g. of a block's `minTime…maxTime`;
    /// `nil` means any year. They matter because the encoder replaces an entry's own timestamp text, whose digit
    /// groups may touch a hex run.
    ///
    /// Derivation (the encoder's rules, `LineEncoder.encodeText`): the encoder packs maximal hex regions of ≥ 16
    /// digits, split greedily from the region start into runs that end only where a letter of the other case
    /// appears; a run of ≥ 16 digits with a letter is packed, high nibble first from its start. Regions are cut
    /// only by `0xFF` bytes and by the replaced timestamp. Let `H` be a maximal hex run of the needle whose letters
    /// share one case (at least one letter). In a line containing the needle:
    /// - the run packing `H`'s letters starts at `H[0]` when the needle has a byte before `H` that is neither hex
    ///   nor `:`, `.`, `,`; after `:` the timestamp's seconds may end inside `H` (2 leading digits), after `.`/`,`
    ///   its fraction (3, 6 or 9 leading digits); with nothing before `H` the run may start anywhere up to `H`'s
    ///   first letter, so the leading digits are dropped and both nibble alignments are tried;
    /// - the run does not end inside `H` (no other-case letter) unless the timestamp starts there: its year digits
    ///   are followed by `-`, so after `-` the last 4 digits are dropped if they are one of `years`, and at the
    ///   needle's end the last k ≤ 4 digits are dropped if they are the first k digits of one of `years`;
    /// - the remaining part `P` then lies in one packed run when it has ≥ 16 digits, and the run's tokens contain
    ///   `P` packed at each possible alignment (whole bytes only; from `P[1]` when `P[0]` is a low nibble).
    /// Letter case is not kept in the tokens, so the patterns match runs of either case.
    static func tokenConditions(_ needle: [UInt8], years: ClosedRange<Int>?) -> [[[UInt8]]] {
        var conditions: [[[UInt8]]] = []
        var start = 0
        while start < needle.count {
            guard byteClass[Int(needle[start])] != 0 else {
                start += 1
                continue
            }
            var end = start
            var classes: UInt8 = 0
            while end < needle.count, byteClass[Int(needle[end])] != 0 {
                classes |= byteClass[Int(needle[end])]
                end += 1
            }
            let letters = classes & (classLower | classUpper)
            if letters == classLower || letters == classUpper,
               let alternatives = packedAlternatives(
                   Array(needle[start..<end]), before: start > 0 ? needle[start - 1] : nil,
                   after: end < needle.count ? needle[end] : nil, years: years) {
                conditions.append(alternatives)
            }
            start = end
        }
        return conditions
    }

    /// The patterns for one single-case hex run `run` of a needle (see ``tokenConditions(_:years:)``), or `nil`
    /// when too little of it is sure to be packed.
    private static func packedAlternatives(
        _ run: [UInt8], before: UInt8?, after: UInt8?, years: ClosedRange<Int>?
    ) -> [[UInt8]]? {
        let leadingDigits = run.prefix { byteClass[Int($0)] == classDigit }.count
        let trailingDigits = run.reversed().prefix { byteClass[Int($0)] == classDigit }.count
        // Offsets in `run` where the packed run may start; `nil` when it may start anywhere up to the first letter.
        let runStarts: [Int]?
        switch before {
        case nil: runStarts = nil
        case UInt8(ascii: ":")?: runStarts = leadingDigits >= 2 ? [0, 2] : [0]
        case UInt8(ascii: ".")?, UInt8(ascii: ",")?: runStarts = [0, 3, 6, 9].filter { $0 <= leadingDigits }
        default: runStarts = [0]
        }
        let partStart = runStarts?.max() ?? leadingDigits
        let alignments = runStarts.map { starts in Set(starts.map { (partStart - $0) & 1 }).sorted() } ?? [0, 1]

        var partEnd = run.count
        if after == nil {
            for digits in stride(from: min(4, trailingDigits), through: 1, by: -1)
            where isYearPrefix(run[(run.count - digits)...], years: years) {
                partEnd = run.count - digits
                break
            }
        } else if after == UInt8(ascii: "-"), trailingDigits >= 4, isYearPrefix(run[(run.count - 4)...], years: years) {
            partEnd = run.count - 4
        }
        guard partEnd - partStart >= minimumHexRun else { return nil }
        return alignments.map { alignment in
            var pattern: [UInt8] = []
            var index = partStart + alignment
            while index + 1 < partEnd {
                pattern.append(nibbleValue[Int(run[index])] << 4 | nibbleValue[Int(run[index + 1])])
                index += 2
            }
            return pattern
        }
    }

    /// True when the decimal digits `digits` (1…4 of them) begin the four-digit text of a year in `years`
    /// (any year when `nil`; only years 0…9999 have such a text).
    private static func isYearPrefix(_ digits: ArraySlice<UInt8>, years: ClosedRange<Int>?) -> Bool {
        guard let years else { return true }
        guard years.upperBound >= 0, years.lowerBound <= 9999 else { return false }
        let printable = max(years.lowerBound, 0)...min(years.upperBound, 9999)
        var value = 0
        for digit in digits { value = value * 10 + Int(digit &- UInt8(ascii: "0")) }
        var scale = 1
        for _ in digits.count..<4 { scale *= 10 }
        return (printable.lowerBound / scale...printable.upperBound / scale).contains(value)
    }
}
