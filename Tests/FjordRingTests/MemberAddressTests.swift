import FjordRing
import Testing

@Suite("Member addresses (host:port)")
struct MemberAddressTests {
    @Test("valid addresses", arguments: [
        ("127.0.0.1:9095", "127.0.0.1", 9095),
        ("ingester-1.fjord.svc.cluster.local:9095", "ingester-1.fjord.svc.cluster.local", 9095),
        ("localhost:1", "localhost", 1),
        ("[::1]:65535", "::1", 65535),
        ("[fd00::7]:9095", "fd00::7", 9095),
        ("[2001:db8:0:0:0:0:0:1]:80", "2001:db8:0:0:0:0:0:1", 80),
        ("[::ffff:10.0.0.1]:9095", "::ffff:10.0.0.1", 9095),
        ("[fd00::]:9095", "fd00::", 9095),
    ])
    func valid(text: String, host: String, port: Int) throws {
        let address = try MemberAddress(parsing: text)
        #expect(address.host == host)
        #expect(address.port == port)
        #expect(address.description == text)
    }

    @Test("invalid addresses name the problem", arguments: [
        ("", "empty address"),
        ("10.0.0.1", "missing ':port'"),
        ("10.0.0.1:", "the port must be a number from 1 to 65535"),
        ("10.0.0.1:0", "the port must be a number from 1 to 65535"),
        ("10.0.0.1:65536", "the port must be a number from 1 to 65535"),
        ("10.0.0.1:http", "the port must be a number from 1 to 65535"),
        (":9095", "missing host before ':port'"),
        ("10.0.0.256:9095", "invalid IPv4 address"),
        ("10.0.1:9095", "invalid IPv4 address"),
        ("host name:9095", "the host may contain only letters, digits, '-', '_' and '.'"),
        ("-bad.example:9095", "a host name label must not start or end with '-'"),
        ("a..b:9095", "empty label in host name"),
        ("::1:9095", "an IPv6 host must be written in brackets, e.g. [fd00::1]:9095"),
        ("[::1:9095", "missing ']' after the IPv6 address"),
        ("[::1]9095", "expected ':port' after ']'"),
        ("[zz::1]:9095", "invalid IPv6 address"),
        ("[1:::2]:9095", "invalid IPv6 address"),
        ("[:1::2]:9095", "invalid IPv6 address"),
        ("[1::2::3]:9095", "invalid IPv6 address"),
        ("[1:2:3:4:5:6:7]:9095", "invalid IPv6 address"),
        ("[1:2:3:4:5:6:7:8:9]:9095", "invalid IPv6 address"),
        ("[12345::1]:9095", "invalid IPv6 address"),
        ("http://host:9095", "write host:port without a scheme"),
    ])
    func invalid(text: String, reason: String) {
        #expect(throws: MemberAddressError(address: text, reason: reason)) {
            try MemberAddress(parsing: text)
        }
    }
}
