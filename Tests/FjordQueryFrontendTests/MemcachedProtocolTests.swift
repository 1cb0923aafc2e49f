import FjordMemcached
import Testing

@Suite struct MemcachedProtocolTests {
    func parse(_ text: [UInt8], _ expecting: MemcachedProtocol.Expectation) throws -> (MemcachedProtocol.Answer, Int)? {
        try text.withUnsafeBytes { bytes in
            try MemcachedProtocol.parse(bytes, expecting: expecting).map { ($0.answer, $0.consumed) }
        }
    }

    @Test func getAnswersParseOnlyWhenComplete() throws {
        let answer = Array("VALUE k1 0 5\r\nab\r\nc\r\nVALUE k2 7 0 99\r\n\r\nEND\r\nextra".utf8)
        for cut in 0..<(answer.count - 5) {
            #expect(try parse(Array(answer[0..<cut]), .values) == nil, "cut at \(cut)")
        }
        let (parsed, consumed) = try #require(try parse(answer, .values))
        #expect(parsed == .values(["k1": Array("ab\r\nc".utf8), "k2": []]))
        #expect(consumed == answer.count - 5)
        #expect(try parse(Array("END\r\n".utf8), .values)?.0 == .values([:]))
    }

    @Test func storageAnswersAndErrors() throws {
        #expect(try parse(Array("STORED\r\n".utf8), .storage)?.0 == .stored)
        #expect(try parse(Array("NOT_STORED\r\n".utf8), .storage)?.0 == .notStored)
        #expect(throws: MemcachedError.self) { try parse(Array("SERVER_ERROR object too large for cache\r\n".utf8), .storage) }
        #expect(throws: MemcachedError.self) { try parse(Array("ERROR\r\n".utf8), .values) }
        #expect(throws: MemcachedError.self) { try parse(Array("VALUE k 0 x\r\n".utf8), .values) }
        #expect(throws: MemcachedError.self) { try parse(Array("VALUE k 0 2\r\nabcd\r\n".utf8), .values) }
    }

    @Test func commandsAndKeys() {
        #expect(MemcachedProtocol.getCommand(["a", "b"]) == Array("get a b\r\n".utf8))
        #expect(MemcachedProtocol.setCommand(key: "k", value: [1, 2], expirationSeconds: 60)
            == Array("set k 0 60 2\r\n".utf8) + [1, 2, 13, 10])
        #expect(MemcachedProtocol.isValidKey("fjord-0123"))
        #expect(!MemcachedProtocol.isValidKey("has space"))
        #expect(!MemcachedProtocol.isValidKey(""))
        #expect(!MemcachedProtocol.isValidKey(String(repeating: "k", count: 251)))
    }
}
