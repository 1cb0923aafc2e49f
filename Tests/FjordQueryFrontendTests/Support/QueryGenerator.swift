/// Random LogQL for the split/cache property test: metric queries that exercise windows across split boundaries,
/// `offset`, float sums, order-sensitive aggregations (`topk`, `sort_desc`, `quantile_over_time`,
/// `first/last_over_time`), binary operations, `label_replace` (also collapsing series), pipeline errors and
/// literals; and log queries with filters, parsers and formatting.
enum QueryGenerator {
    static let ranges = ["30s", "1m", "5m", "10m", "1h", "90m"]
    static let offsets = ["", "", "", " offset 5m", " offset 1h"]

    static func metric(using random: inout SeededRandom) -> String {
        let range = ranges.randomElement(using: &random) ?? "5m"
        let offset = offsets.randomElement(using: &random) ?? ""
        let r = "[\(range)]\(offset)"
        let templates: [String] = [
            "count_over_time({app=\"api\"}\(r))",
            "sum by (env) (rate({app=~\"api|web\"}\(r)))",
            "bytes_over_time({env=\"prod\"}\(r))",
            "sum(count_over_time({app=~\".+\"} |= \"error\"\(r)))",
            "avg_over_time({app=\"api\"} | logfmt | unwrap latency\(r))",
            "sum_over_time({app=~\".+\"} | logfmt | unwrap latency | __error__=\"\"\(r)) by (env)",
            "sum by (env) (sum_over_time({app=~\".+\"} | logfmt | unwrap latency | __error__=\"\"\(r)))",
            "max_over_time({app=~\".+\"} | logfmt | unwrap size\(r)) by (app)",
            "quantile_over_time(0.9, {app=~\".+\"} | logfmt | unwrap size\(r)) by (env)",
            "first_over_time({env=~\".+\"} | logfmt | unwrap size\(r)) by (env)",
            "last_over_time({app=~\".+\"} | logfmt | unwrap latency | __error__=\"\"\(r)) by (app)",
            "stddev_over_time({app=~\".+\"} | logfmt | unwrap latency | __error__=\"\"\(r))",
            "topk(2, sum by (app) (count_over_time({env=~\".+\"}\(r))))",
            "sum(topk(3, rate({app=~\".+\"} | logfmt | unwrap latency | __error__=\"\"\(r))))",
            "sort_desc(sum by (app) (rate({app=~\".+\"}\(r))))",
            "sum(rate({app=\"api\"}\(r))) / sum(rate({app=~\".+\"}\(r)))",
            "sum by (app) (count_over_time({app=~\".+\"}\(r))) > 3",
            "sum by (app) (count_over_time({app=~\".+\"}\(r))) or sum by (env) (count_over_time({env=\"dev\"}\(r)))",
            "label_replace(sum by (app) (count_over_time({app=~\".+\"}\(r))), \"x\", \"$1\", \"app\", \"(.).*\")",
            "sum(label_replace(rate({app=~\".+\"} | logfmt | unwrap latency | __error__=\"\"\(r)), \"app\", \"all\", \"app\", \".*\"))",
            "label_replace(count_over_time({app=~\".+\"}\(r)), \"app\", \"same\", \"app\", \".*\")",
            "absent_over_time({app=\"nope\"}\(r))",
            "sum by (level) (count_over_time({app=~\".+\"} | logfmt\(r)))",
            "count_over_time({app=~\".+\", trace_id=\"1\"}\(r))",
            "sum by (trace_id) (count_over_time({app=~\".+\"} | trace_id!=\"\"\(r)))",
            "rate_counter({app=\"web\"} | logfmt | unwrap size\(r))",
            "vector(1)",
            "2 * sum(count_over_time({app=\"db\"}\(r)))",
            "avg by (env) (min_over_time({app=~\".+\"} | logfmt | unwrap latency | __error__=\"\"\(r)) by (env, app))",
            "count(count_over_time({app=~\".+\"} | logfmt\(r)) by (level, app))",
        ]
        return templates.randomElement(using: &random) ?? templates[0]
    }

    static func log(using random: inout SeededRandom) -> String {
        let templates = [
            "{app=\"api\"}",
            "{app=~\".+\"} |= \"error\"",
            "{env=\"prod\"} | logfmt | level=\"warn\"",
            "{app=~\".+\"} | logfmt | line_format \"{{.level}} {{.size}}\"",
            "{app=~\"api|db\"} != \"info\"",
            "{app=~\".+\"} | logfmt | size > 4000",
            "{app=\"nope\"}",
            "{app=~\".+\"} | logfmt | drop app, env",
        ]
        return templates.randomElement(using: &random) ?? templates[0]
    }
}
