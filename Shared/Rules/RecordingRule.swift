public import FjordModel

/// Prometheus' `RecordingRule.Eval` on an evaluation's samples: each becomes a sample of a series named after the
/// rule (`__name__`), with the rule's labels set over the sample's and the external labels added where missing,
/// at the evaluation time in milliseconds.
public enum RecordingRuleOutput {
    public static func samples(_ samples: [InstantSample], rule: Rule, at ts: Int64, limit: Int,
                               context: RuleContext) throws(RuleEvaluationError) -> [InstantSample] {
        var seen: Set<Labels> = []
        var out: [InstantSample] = []
        out.reserveCapacity(samples.count)
        for sample in samples {
            var pairs = context.externalLabels.pairs
            pairs.append(contentsOf: sample.labels.pairs)
            pairs.append(LabelPair("__name__", rule.name))
            pairs.append(contentsOf: rule.labels.pairs)
            let labels = Labels(pairs)
            guard seen.insert(labels).inserted else {
                throw RuleEvaluationError("vector contains metrics with the same labelset after applying rule labels")
            }
            out.append(InstantSample(labels: labels, timestampMillis: ts / 1_000_000, value: sample.value))
        }
        if limit > 0, out.count > limit {
            throw RuleEvaluationError("exceeded limit of \(limit) with \(out.count) series")
        }
        return out
    }
}
