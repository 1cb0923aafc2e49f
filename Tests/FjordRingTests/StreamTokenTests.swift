import FjordModel
import FjordRing
import Testing

@Suite("Stream token (FNV-1 32, Loki's TokenFor)")
struct StreamTokenTests {
    @Test("empty input is the FNV offset basis")
    func emptyInput() {
        #expect(StreamToken.token(tenant: "", labels: "") == 0x811c_9dc5)
    }

    @Test("one byte, by hand: 0x811c9dc5 * 0x01000193 mod 2^32 = 0x050c5d1f, then xor 0x61 = 0x050c5d7e")
    func oneByteByHand() {
        let multiplied = UInt32(truncatingIfNeeded: UInt64(0x811c_9dc5) * 0x0100_0193)
        #expect(multiplied == 0x050c_5d1f)
        #expect(StreamToken.token(tenant: "a", labels: "") == 0x050c_5d7e)
        // The tenant and the labels are one byte stream: splitting it differently gives the same token.
        #expect(StreamToken.token(tenant: "", labels: "a") == 0x050c_5d7e)
    }

    @Test("FNV-1 (not FNV-1a) reference vector: \"foobar\" = 0x31f0b262")
    func referenceVector() {
        #expect(StreamToken.token(tenant: "foo", labels: "bar") == 0x31f0_b262)
        // FNV-1a would give 0xbf9cf968.
        #expect(StreamToken.token(tenant: "foo", labels: "bar") != 0xbf9c_f968)
    }

    @Test("tenant + canonical labels, as Loki's distributor hashes a stream")
    func tenantAndLabels() {
        let labels = Labels(["app": "foo"])
        #expect(labels.canonicalString == "{app=\"foo\"}")
        // Computed with a reference implementation of the algorithm (h = h * 16777619; h ^= byte).
        #expect(Ring.token(tenant: "fake", labels: labels) == 25_613_330)
        #expect(Ring.token(tenant: "fake", labels: "{app=\"foo\"}") == 0x0186_d412)
        #expect(StreamToken.token(tenant: Array("fake".utf8), labels: Array("{app=\"foo\"}".utf8)) == 0x0186_d412)
        // A different tenant places the same labels elsewhere.
        #expect(Ring.token(tenant: "other", labels: labels) != 25_613_330)
    }
}
