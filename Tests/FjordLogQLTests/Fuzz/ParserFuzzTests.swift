import FjordConformanceKit
import Testing
@testable import FjordLogQL

/// Checks one parser input: an accepted query prints and re-parses to an equal AST; a rejected one fails with a
/// `LogQLParseError` that has Loki's `parse error` prefix and, for syntax errors, a position inside the query.
struct ParseChecker {
    /// Loki's one parse-time rejection without the `parse error` prefix (a query using `variants`).
    static let unprefixedTexts: Set<String> = ["multi variant queries are disabled for this instance"]

    var inputs = 0
    var accepted = 0
    var rejectedWithPosition = 0
    /// Accepted queries whose printed form exceeds the parser's nesting limit.
    var printedTooDeep = 0
    /// Accepted queries whose printed form does not re-parse because of how Loki prints them (``PrintingQuirks``).
    var printingQuirks = 0
    var failures: [String] = []

    mutating func check(_ bytes: [UInt8]) {
        inputs += 1
        let expr: Expr
        do {
            expr = try LogQLParser.parse(bytes: bytes)
        } catch {
            checkRejection(error, bytes)
            return
        }
        accepted += 1
        let printed = expr.description
        let quirks = PrintingQuirks(expr)
        let reparsed: Expr
        do {
            reparsed = try LogQLParser.parse(printed)
        } catch {
            if error.message.contains("too deeply nested") {
                // Printing adds parentheses around every operand of a long chain (as Loki does), so a chain within
                // the operation limit can print deeper than the nesting limit.
                printedTooDeep += 1
            } else if quirks.printedFormMayNotParse {
                printingQuirks += 1
            } else {
                fail("printed form \(printed) is rejected: \(error.message)", bytes)
            }
            return
        }
        let expected = PrinterTests.normalized(PrintingQuirks.erasingBytes(expr))
        if PrinterTests.normalized(PrintingQuirks.erasingBytes(reparsed)) != expected
            || !PrintingQuirks.byteValuesAgree(quirks.byteValues, PrintingQuirks(reparsed).byteValues) {
            fail("printed form parses to a different AST: \(printed)", bytes)
        } else if reparsed.description != printed {
            fail("printing is not stable: \(printed) → \(reparsed.description)", bytes)
        }
    }

    private mutating func checkRejection(_ error: LogQLParseError, _ bytes: [UInt8]) {
        if Self.unprefixedTexts.contains(error.message) { return }
        guard error.message.hasPrefix("parse error"), !error.detail.isEmpty else {
            fail("rejection without Loki's prefix: \(error.message)", bytes)
            return
        }
        let positioned = "parse error at line \(error.line), col \(error.column): "
        guard error.message.hasPrefix("parse error at line ") else {
            if error.message != "parse error : " + error.detail || error.line != 0 || error.column != 0 {
                fail("malformed message: \(error.message)", bytes)
            }
            return
        }
        guard error.message == positioned + error.detail else {
            fail("message and position disagree (\(error.line):\(error.column)): \(error.message)", bytes)
            return
        }
        // Loki reports line 0 for tokens its lexer completes character by character; the column is still real.
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        let longest = lines.map(\.count).max() ?? 0
        let lineLength = error.line >= 1 && error.line <= lines.count ? lines[error.line - 1].count : longest
        if error.line < 0 || error.line > lines.count || error.column < 1 || error.column > lineLength + 1 {
            fail("position \(error.line):\(error.column) outside the query: \(error.message)", bytes)
            return
        }
        rejectedWithPosition += 1
    }

    private mutating func fail(_ what: String, _ bytes: [UInt8]) {
        if failures.count < 20 { failures.append(what + "\n      input: " + Self.literal(bytes)) }
    }

    /// The input as a Swift string literal (invalid bytes as `\u{…}` escapes of their values) for replaying.
    static func literal(_ bytes: [UInt8]) -> String {
        var out = "\""
        for byte in bytes {
            switch byte {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x09: out += "\\t"
            case 0x20..<0x7F: out.unicodeScalars.append(UnicodeScalar(byte))
            default: out += "\\x" + String(byte, radix: 16)
            }
        }
        return out + "\" (\(bytes.count) bytes)"
    }
}

/// Property test of the parser: ≥ 100,000 generated and mutated queries per run, deterministic from fixed seeds.
/// No input may crash or hang the parser; every rejection is a parse error (with a position inside the query for
/// syntax errors); every accepted query prints and re-parses to an equal AST.
@Suite struct ParserFuzzTests {
    static let shards = 8
    /// Inputs per shard: 8 × 13,000 = 104,000 per run.
    static let inputsPerShard = 13_000
    /// Mutants checked per generated query.
    static let mutantsPerQuery = 4

    /// Shards run one after another, each on a thread of its own (``OwnThread``): seconds of CPU-bound work on Swift
    /// Testing's small cooperative pool, or on both cores at once, would starve tests that wait for I/O or timers.
    @Test(.serialized, arguments: 0..<shards)
    func generatedAndMutatedQueries(shard: Int) async throws {
        let (generated, mutants) = try await OwnThread.run { Self.fuzz(shard: shard) }
        let failures = generated.failures + mutants.failures
        print("parser fuzz shard \(shard): \(generated.inputs) generated (\(generated.accepted) accepted), "
            + "\(mutants.inputs) mutated (\(mutants.accepted) accepted, \(mutants.rejectedWithPosition) syntax errors); "
            + "printed forms not re-parsed: \(generated.printingQuirks + mutants.printingQuirks) Loki printing quirks, "
            + "\(generated.printedTooDeep + mutants.printedTooDeep) deeper than the nesting limit")
        #expect(failures.isEmpty, "shard \(shard):\n  \(failures.joined(separator: "\n  "))")
        #expect(generated.inputs + mutants.inputs >= Self.inputsPerShard)
        // The generator writes mostly valid queries, and the mutants exercise both outcomes.
        #expect(generated.accepted * 10 >= generated.inputs * 7,
                "only \(generated.accepted) of \(generated.inputs) generated queries parse")
        #expect(mutants.accepted > 0 && mutants.rejectedWithPosition > mutants.inputs / 4,
                "mutants: \(mutants.accepted) accepted, \(mutants.rejectedWithPosition) syntax errors of \(mutants.inputs)")
    }

    /// Generated queries, each followed by ``mutantsPerQuery`` mutants, and a pathological one every 100 rounds.
    static func fuzz(shard: Int) -> (generated: ParseChecker, mutants: ParseChecker) {
        var generator = QueryGenerator(seed: 0x10_C0_FF_EE &+ UInt64(shard) &* 7919)
        var mutator = QueryMutator(seed: 0xBAD_5EED &+ UInt64(shard) &* 104_729)
        var generated = ParseChecker()
        var mutants = ParseChecker()
        var round = 0
        while generated.inputs + mutants.inputs < inputsPerShard {
            let query = generator.query()
            generated.check(Array(query.utf8))
            for _ in 0..<mutantsPerQuery { mutants.check(mutator.mutate(query)) }
            round += 1
            if round % 100 == 0 { mutants.check(Array(mutator.pathological().utf8)) }
        }
        return (generated, mutants)
    }

    @Test func randomBytesAreRejectedWithParseErrors() {
        var random = FuzzRandom(state: 0x5EED)
        var checker = ParseChecker()
        for _ in 0..<2000 {
            let count = random.upTo(64)
            checker.check((0..<count).map { _ in UInt8(random.upTo(255)) })
        }
        #expect(checker.failures.isEmpty, "\n  \(checker.failures.joined(separator: "\n  "))")
    }

    @Test(arguments: [
        (String(repeating: "(", count: 300) + "1" + String(repeating: ")", count: 300), "too deeply nested"),
        (Array(repeating: "vector(1)", count: 1200).joined(separator: " + "), "too many operations"),
        ("{a=\"b\"} | " + Array(repeating: "x=\"1\"", count: 1200).joined(separator: " or "), "too many operations"),
    ])
    func limitsRejectHostileQueries(query: String, reason: String) {
        #expect(throws: LogQLParseError.self) { try LogQLParser.parse(query) }
        do {
            _ = try LogQLParser.parse(query)
        } catch {
            #expect(error.message.hasPrefix("parse error"))
            #expect(error.message.contains(reason), "\(error.message)")
        }
    }
}
