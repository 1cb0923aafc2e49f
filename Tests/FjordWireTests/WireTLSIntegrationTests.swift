import FjordWire
import Foundation
import Testing

/// Throwaway certificates made with the `openssl` CLI in a temporary directory.
struct TestCertificates {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "fjord-wire-tls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let leaf = "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=IP:127.0.0.1\n"
        try leaf.write(toFile: path("leaf.ext"), atomically: true, encoding: .utf8)
        for ca in ["ca", "other-ca"] {
            try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                         "-keyout", path("\(ca).key"), "-out", path("\(ca).pem"), "-days", "2", "-subj", "/CN=\(ca)"])
        }
        try issue("server", by: "ca", days: "2")
        try issue("client", by: "ca", days: "2")
        try issue("stranger", by: "other-ca", days: "2")
        try issue("expired", by: "ca", days: "-1")
    }

    func path(_ name: String) -> String { directory + "/" + name }

    func tls(_ name: String?, ca: String = "ca") -> WireTLSConfiguration {
        WireTLSConfiguration(certificatePath: name.map { path("\($0).pem") }, privateKeyPath: name.map { path("\($0).key") },
                             caPath: path("\(ca).pem"))
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    private func issue(_ name: String, by ca: String, days: String) throws {
        try openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                     "-keyout", path("\(name).key"), "-out", path("\(name).csr"), "-subj", "/CN=\(name)"])
        try openssl(["x509", "-req", "-in", path("\(name).csr"), "-CA", path("\(ca).pem"), "-CAkey", path("\(ca).key"),
                     "-CAcreateserial", "-days", days, "-extfile", path("leaf.ext"), "-out", path("\(name).pem")])
    }

    private func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw WireError(.internalError, "openssl \(arguments.joined(separator: " ")) failed")
        }
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
