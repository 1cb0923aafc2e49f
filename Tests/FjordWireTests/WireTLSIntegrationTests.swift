import FjordTestCertificates
import FjordWire
import Foundation
import Testing

extension TestCertificates {
    func tls(_ name: String?, ca: String = "ca") -> WireTLSConfiguration {
        WireTLSConfiguration(certificatePath: name.map { path("\($0).pem") }, privateKeyPath: name.map { path("\($0).key") },
                             caPath: path("\(ca).pem"))
    }
}

@Suite(.serialized) struct WireTLSIntegrationTests {
    @Test func mutualTLSAcceptsAClientSignedByTheCA() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        try await withLoopback(RecordingHandler(), server: { $0.tls = certificates.tls("server") },
                               client: { $0.tls = certificates.tls("client") }) { _, client in
            try await client.flush()
            #expect(try await client.notReadyReason() == nil)
        }
    }

    @Test(arguments: ["stranger", "expired", "none", "plaintext"])
    func mutualTLSRefusesBadClients(client kind: String) async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let clientTLS: WireTLSConfiguration? = switch kind {
        case "none": certificates.tls(nil)
        case "plaintext": nil
        default: certificates.tls(kind)
        }
        try await withLoopback(RecordingHandler(), server: { $0.tls = certificates.tls("server") },
                               client: { $0.tls = clientTLS; $0.connectTimeout = .seconds(5) }) { _, client in
            let error = try await #require(throws: WireError.self) { try await client.flush() }
            #expect([.handshake, .unavailable].contains(error.code))
        }
    }

    @Test func clientRefusesAServerFromAnotherCA() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        try await withLoopback(RecordingHandler(), server: { $0.tls = certificates.tls("server") },
                               client: { $0.tls = certificates.tls("stranger", ca: "other-ca") }) { _, client in
            let error = try await #require(throws: WireError.self) { try await client.flush() }
            #expect([.handshake, .unavailable].contains(error.code))
        }
    }
}
