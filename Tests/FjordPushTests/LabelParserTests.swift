import FjordModel
import Testing

@Suite struct LabelParserTests {
    @Test(arguments: [
        (#"{a="b", c="d"}"#, #"{a="b", c="d"}"#),
        (#"{c="d",a="b"}"#, #"{a="b", c="d"}"#),
        ("{}", "{}"),
        ("", "{}"),
        ("  {  }  ", "{}"),
        (#"{a="b",}"#, #"{a="b"}"#),
        ("{ a = \"b\" ,\n c\t=\t'd' , }", #"{a="b", c="d"}"#),
        (#"{a="", b="x"}"#, #"{b="x"}"#),
        (#"{"service.name"="api"}"#, #"{"service.name"="api"}"#),
        (#"{"ünï"="x", a="y"}"#, #"{a="y", "ünï"="x"}"#),
        ("{a=`raw\\n\"x`}", #"{a="raw\\n\"x"}"#),
        (#"{a="tab\there", b="q\"uote", c="back\\slash"}"#, #"{a="tab\there", b="q\"uote", c="back\\slash"}"#),
        (#"{a="\u00e9\x41\101\U0001F600"}"#, #"{a="éAA😀"}"#),
        (#"{a='it\'s'}"#, #"{a="it's"}"#),
        (#"metric{a="b"}"#, #"{__name__="metric", a="b"}"#),
        (#"{"just_a_name", a="b"}"#, #"{__name__="just_a_name", a="b"}"#),
        ("{a=\"b\" # comment\n}", #"{a="b"}"#),
        (#"{_x="1", X2="2"}"#, #"{X2="2", _x="1"}"#),
    ])
    func parsesLikePrometheus(input: String, canonical: String) throws {
        #expect(try LabelParser.parse(input).canonicalString == canonical)
    }

    @Test func keepsRepeatedNamesInPairsButLastWinsInLabels() throws {
        let pairs = try LabelParser.parsePairs(#"{a="1", b="x", a="2"}"#)
        #expect(pairs == [LabelPair("a", "1"), LabelPair("a", "2"), LabelPair("b", "x")])
        #expect(try LabelParser.parse(#"{a="1", a="2"}"#)["a"] == "2")
    }

    @Test(arguments: [
        (#"{a=b}"#, #"1:4: parse error: unexpected identifier "b" in label set, expected string"#),
        (#"{a="b""#, "1:7: parse error: unexpected end of input inside braces"),
        (#"{a="b}"#, "1:4: parse error: unterminated quoted string"),
        (#"{a.b="c"}"#, "1:3: parse error: unexpected character inside braces: '.'"),
        (#"{a}"#, #"1:3: parse error: unexpected "}" in label set, expected "=""#),
        (#"{a="b" c="d"}"#, #"1:8: parse error: unexpected identifier "c" in label set, expected "," or "}""#),
        (#"{a!="b"}"#, #"1:3: parse error: unexpected <op:!=> in label set, expected "=""#),
        (#"{=}"#, #"1:2: parse error: unexpected "=" in label set, expected identifier or "}""#),
        (#"{a="\q"}"#, "1:4: parse error: unknown escape sequence U+0071 'q'"),
        (#"{a="\uD800"}"#, "1:4: parse error: escape sequence is an invalid Unicode code point"),
        (#"{a="b"} x"#, #"1:9: parse error: unexpected identifier "x""#),
        (#"{a="b"}}"#, "1:8: parse error: unexpected right brace '}'"),
        (#"{{"#, "1:2: parse error: unexpected left brace '{' inside braces"),
        ("{a=\"x\ny\"}", "1:4: parse error: unterminated quoted string"),
        ("{\na=b}", #"2:3: parse error: unexpected identifier "b" in label set, expected string"#),
        ("{a=`x", "1:4: parse error: unterminated raw string"),
    ])
    func reportsErrorsLikePrometheus(input: String, message: String) {
        #expect(throws: LabelParseError.self) { try LabelParser.parse(input) }
        do {
            _ = try LabelParser.parse(input)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func rejectsInvalidUTF8InsideStrings() {
        let bytes: [UInt8] = Array(#"{a=""#.utf8) + [0xFF] + Array(#""}"#.utf8)
        let result: Result<[LabelPair], LabelParseError> = bytes.withUnsafeBytes { buffer in
            Result { () throws(LabelParseError) -> [LabelPair] in try LabelParser.parsePairs(buffer) }
        }
        #expect(throws: LabelParseError(message: "invalid UTF-8 rune", line: 1, column: 4)) { try result.get() }
    }

    @Test func canonicalStringRoundTrips() throws {
        let labels = try LabelParser.parse(#"{b="x\"y", "a-b"="\n", c="ü"}"#)
        #expect(try LabelParser.parse(labels.canonicalString) == labels)
    }
}
