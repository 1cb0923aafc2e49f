import FjordLokiAPI
import FjordModel
import Testing

@Suite struct EscapingAndNumberTests {
    static func escaped(_ bytes: [UInt8], _ style: JSONStringStyle) -> String {
        var buffer = JSONBuffer()
        buffer.append(string: bytes, style)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }

    @Test func htmlEscapingOfLines() {
        #expect(Self.escaped(Array("<a href=\"x\">&amp;</a>".utf8), .htmlEscaped)
            == #""\u003ca href=\"x\"\u003e\u0026amp;\u003c/a\u003e""#)
        #expect(Self.escaped(Array("<a>&".utf8), .plain) == #""<a>&""#)
        #expect(Self.escaped(Array("<a>&".utf8), .goStandard) == #""\u003ca\u003e\u0026""#)
    }

    @Test func controlCharacters() {
        let controls: [UInt8] = [0x01, 0x08, 0x09, 0x0A, 0x0C, 0x0D, 0x1F, 0x7F, 0x5C, 0x22]
        #expect(Self.escaped(controls, .htmlEscaped) == #""\u0001\u0008\t\n\u000c\r\u001f"# + "\u{7F}" + #"\\\"""#)
        #expect(Self.escaped(controls, .plain) == #""\u0001\u0008\t\n\u000c\r\u001f"# + "\u{7F}" + #"\\\"""#)
        // Go ≥ 1.22 encoding/json uses the short forms \b and \f.
        #expect(Self.escaped(controls, .goStandard) == #""\u0001\b\t\n\f\r\u001f"# + "\u{7F}" + #"\\\"""#)
    }

    @Test func invalidUTF8BecomesReplacementEscapes() {
        // A stray continuation byte, a truncated sequence, an overlong encoding and a UTF-16 surrogate.
        let bytes: [UInt8] = [0x61, 0x80, 0x62, 0xE2, 0x82, 0x63, 0xC0, 0xAF, 0xED, 0xA0, 0x80, 0x64]
        #expect(Self.escaped(bytes, .htmlEscaped)
            == #""a\ufffdb\ufffd\ufffdc\ufffd\ufffd\ufffd\ufffd\ufffdd""#)
        // jsoniter's WriteString copies such bytes unchanged.
        var plain = JSONBuffer()
        plain.append(string: bytes, .plain)
        #expect(plain.bytes == [0x22] + bytes + [0x22])
    }

    @Test func validUTF8IsCopiedButLineSeparatorsAreEscaped() {
        #expect(Self.escaped(Array("é→😀 ok".utf8), .htmlEscaped) == "\"é→😀 ok\"")
        #expect(Self.escaped(Array("a\u{2028}b\u{2029}c".utf8), .htmlEscaped) == #""a\u2028b\u2029c""#)
        #expect(Self.escaped(Array("a\u{2028}b".utf8), .goStandard) == #""a\u2028b""#)
        #expect(Self.escaped(Array("a\u{2028}b".utf8), .plain) == "\"a\u{2028}b\"")
        // A real U+FFFD in the input is valid UTF-8 and stays as it is.
        #expect(Self.escaped(Array("x\u{FFFD}y".utf8), .htmlEscaped) == "\"x\u{FFFD}y\"")
    }

    @Test func replacementCharacterInStreamLabelsBecomesSpace() {
        let stream = ResultStream(
            labels: Labels(["app": "a\u{FFFD}b"]), streamLabels: Labels(["app": "a\u{FFFD}b"]),
            entries: [ResultEntry(timestamp: 1, line: Array("x\u{FFFD}".utf8))])
        let text = QueryResponseEncoder.encodeStreams([stream]).text
        #expect(text.contains(#"{"stream":{"app":"a b"},"values":[["1","x"# + "\u{FFFD}" + #""]]}"#))
    }

    @Test(arguments: [
        (Int64(1_588_889_221_000), "1588889221"), (Int64(1_588_889_221_500), "1588889221.5"),
        (Int64(1_588_889_221_050), "1588889221.05"), (Int64(1_588_889_221_005), "1588889221.005"),
        (Int64(1_588_889_221_120), "1588889221.12"), (Int64(0), "0"), (Int64(5), "0.005"), (Int64(-1500), "-1.5"),
        (Int64(-5), "-0.005"), (Int64(60_000), "60"),
    ])
    func secondsFromMillis(millis: Int64, expected: String) {
        var buffer = JSONBuffer()
        buffer.append(secondsFromMillis: millis)
        #expect(String(decoding: buffer.bytes, as: UTF8.self) == expected)
        // The same text Go's FormatFloat(float64(ms)/1000, 'f', -1, 64) gives.
        #expect(GoFloat.format(Double(millis) / 1000) == expected)
    }

    @Test(arguments: [
        (Double.nan, "NaN"), (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"), (0.5, "0.5"), (1, "1"),
        (0, "0"), (-0.0, "-0"), (-3, "-3"), (1267.1266666666666, "1267.1266666666666"), (1e21, "1000000000000000000000"),
        (1e-7, "0.0000001"), (123_456_789_012_345, "123456789012345"), (1_588_889_221.5, "1588889221.5"),
        (0.1 + 0.2, "0.30000000000000004"),
    ])
    func sampleValues(value: Double, expected: String) {
        var buffer = JSONBuffer()
        buffer.append(sampleValue: value)
        #expect(String(decoding: buffer.bytes, as: UTF8.self) == "\"" + expected + "\"")
    }

    @Test func decimalIntegers() {
        var buffer = JSONBuffer()
        buffer.append(decimal: Int64.min)
        buffer.append(UInt8(ascii: " "))
        buffer.append(decimal: UInt64.max)
        buffer.append(UInt8(ascii: " "))
        buffer.append(decimal: Int64(0))
        #expect(String(decoding: buffer.bytes, as: UTF8.self) == "-9223372036854775808 18446744073709551615 0")
    }
}
