import FjordServiceAPI
import FjordTestCertificates
import FjordTestSupport
import FjordWire
import Foundation
import Testing

/// TLS on the public HTTP port of a real `fjord`: HTTPS works with the configured certificate, plaintext and old
/// protocol versions are refused, a renewed certificate is served without restart, bad files stop start-up, slow
/// clients are cut off.
@Suite(.serialized) struct HTTPTLSTests {
    static func startTLS(_ certificates: TestCertificates, directory: URL, extra: [String] = []) async throws -> FjordProcess {
        let fjord = try FjordProcess(dataDirectory: directory, arguments: [
            "-server.http-tls-cert-path=\(certificates.path("server.pem"))",
            "-server.http-tls-key-path=\(certificates.path("server.key"))",
        ] + extra, defaults: ["-auth.trust-org-id-header"], tlsCA: certificates.path("ca.pem"))
        try await fjord.start()
        return fjord
    }

    @Test func httpsServesAndPlaintextIsRefused() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let directory = try FjordProcess.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // No -server.http-allow-insecure: TLS alone satisfies the start-up check.
        let fjord = try await Self.startTLS(certificates, directory: directory)
        defer { fjord.stop() }
        #expect(fjord.log.contains("tls=true"))

        let now = Int64(Date().timeIntervalSince1970) * 1_000_000_000
        let body = Data(#"{"streams":[{"stream":{"app":"tls"},"values":[["\#(now)","over tls"]]}]}"#.utf8)
        let ca = certificates.path("ca.pem")
        var answer = try Curl.request("POST", fjord.baseURL + "/loki/api/v1/push", caFile: ca,
                                      headers: ["X-Scope-OrgID": "t", "Content-Type": "application/json"], body: body)
        #expect(answer.status == 204, "\(answer)")
        answer = try Curl.request("GET", fjord.baseURL + "/loki/api/v1/query_range?query=%7Bapp%3D%22tls%22%7D&limit=10",
                                  caFile: ca, headers: ["X-Scope-OrgID": "t"])
        #expect(answer.status == 200 && answer.body.contains("over tls"), "\(answer)")

        // A client that does not trust the certificate's CA fails the handshake.
        answer = try Curl.request("GET", fjord.baseURL + "/ready", caFile: certificates.path("other-ca.pem"))
        #expect(answer.status == 0 && answer.exitCode != 0, "\(answer)")
        // TLS 1.1 and older are not offered (the client is allowed them; the server refuses).
        answer = try Curl.request("GET", fjord.baseURL + "/ready", caFile: ca,
                                  extra: ["--tlsv1.0", "--tls-max", "1.1", "--ciphers", "DEFAULT:@SECLEVEL=0"])
        #expect(answer.status == 0 && answer.exitCode != 0, "TLS 1.1 was accepted: \(answer)")
        answer = try Curl.request("GET", fjord.baseURL + "/ready", caFile: ca, extra: ["--tlsv1.2", "--tls-max", "1.2"])
        #expect(answer.status == 200, "TLS 1.2: \(answer)")

        // Plaintext HTTP to the TLS port gets no HTTP answer.
        let port = fjord.port
        let (bytes, end) = try await OffPool.run {
            let connection = try RawHTTPConnection(port: port, timeoutSeconds: 15)
            connection.send(Array("GET /ready HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
            return connection.readToEnd()
        }
        #expect(!String(decoding: bytes, as: UTF8.self).hasPrefix("HTTP/"), "plaintext got an HTTP answer")
        #expect(end != .timedOut, "the server kept a plaintext connection open")
        print("plaintext to the TLS port: \(bytes.count) bytes back (\(bytes.prefix(2).map { String($0, radix: 16) })), then \(end)")
    }

    @Test func aRenewedCertificateIsServedWithoutRestart() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let directory = try FjordProcess.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Serve copies, so the test can replace them.
        let cert = directory.appendingPathComponent("live.pem").path
        let key = directory.appendingPathComponent("live.key").path
        try FileManager.default.copyItem(atPath: certificates.path("server.pem"), toPath: cert)
        try FileManager.default.copyItem(atPath: certificates.path("server.key"), toPath: key)
        let fjord = try FjordProcess(dataDirectory: directory, arguments: [
            "-server.http-tls-cert-path=\(cert)", "-server.http-tls-key-path=\(key)", "-auth.reload-interval=200ms",
        ], defaults: ["-auth.trust-org-id-header"], tlsCA: certificates.path("ca.pem"))
        try await fjord.start()
        defer { fjord.stop() }
        #expect(try Curl.serverCertificateSubject(port: fjord.port)?.contains("CN = server") == true)

        // A broken pair (the key of another certificate) is rejected; the old one stays in force.
        try Self.replace(key, with: certificates.path("client.key"))
        for _ in 0..<100 where !fjord.log.contains("HTTP TLS certificate change rejected") {
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        #expect(try Curl.serverCertificateSubject(port: fjord.port)?.contains("CN = server") == true)
        #expect(fjord.log.contains("HTTP TLS certificate change rejected"))

        // The renewed pair is picked up by new connections.
        try certificates.issue("renewed", by: "ca", days: "2")
        try Self.replace(cert, with: certificates.path("renewed.pem"))
        try Self.replace(key, with: certificates.path("renewed.key"))
        var subject: String?
        for _ in 0..<50 {
            subject = try Curl.serverCertificateSubject(port: fjord.port)
            if subject?.contains("CN = renewed") == true { break }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        #expect(subject?.contains("CN = renewed") == true, "\(subject ?? "no certificate"):\n\(fjord.log.suffix(2000))")
        #expect(try Curl.request("GET", fjord.baseURL + "/ready", caFile: certificates.path("ca.pem")).status == 200)
    }

    @Test func badCertificatesStopStartUp() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let directory = try FjordProcess.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let garbage = directory.appendingPathComponent("garbage.pem").path
        try "not a certificate".write(toFile: garbage, atomically: true, encoding: .utf8)
        let cases: [(String, String, String)] = [
            (certificates.path("server.pem"), certificates.path("client.key"), "does not belong to the certificate"),
            (certificates.path("expired.pem"), certificates.path("expired.key"), "expired on"),
            (garbage, certificates.path("server.key"), "is not a PEM certificate"),
            (certificates.path("server.pem"), garbage, "is not an unencrypted PEM private key"),
            (certificates.path("server.pem"), directory.appendingPathComponent("missing.key").path, "cannot read"),
            (certificates.path("server.pem"), "", "must be set together"),
        ]
        for (cert, key, expected) in cases {
            var arguments = ["-common.path-prefix=\(directory.path)/data", "-auth.enabled=false",
                             "-server.http-tls-cert-path=\(cert)", "-verify-config"]
            if !key.isEmpty { arguments.append("-server.http-tls-key-path=\(key)") }
            let (ok, output) = try CredentialsFixture.run(arguments)
            #expect(!ok && output.contains(expected), "\(cert) + \(key): \(output)")
        }
    }

    @Test func slowClientsAreCutOff() async throws {
        let directory = try FjordProcess.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fjord = try FjordProcess(dataDirectory: directory, arguments: [
            "-server.http-read-header-timeout=1s", "-server.http-read-timeout=2s",
        ])
        try await fjord.start()
        defer { fjord.stop() }
        let port = fjord.port
        // A head that never completes, and a body that never completes, are both cut off; an idle new connection too.
        let outcomes = try await OffPool.run { () throws -> [(String, RawHTTPConnection.End, TimeInterval)] in
            var outcomes: [(String, RawHTTPConnection.End, TimeInterval)] = []
            for (name, bytes) in [
                ("silent", ""),
                ("partial head", "GET /ready HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "),
                ("partial body", "POST /loki/api/v1/push HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Scope-OrgID: t\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"streams\""),
            ] {
                let started = Date()
                let connection = try RawHTTPConnection(port: port, timeoutSeconds: 20)
                connection.send(Array(bytes.utf8))
                let (_, end) = connection.readToEnd()
                outcomes.append((name, end, Date().timeIntervalSince(started)))
            }
            return outcomes
        }
        for (name, end, seconds) in outcomes {
            print("slow client (\(name)): \(end) after \(String(format: "%.1f", seconds)) s")
            #expect(end != .timedOut && seconds < 15, "\(name): still open after \(seconds) s")
        }
        #expect(try await HTTP.request("GET", fjord.baseURL + "/ready").0 == 200)
    }

    /// Replaces `path` by a copy of `source` through a rename, as an operator should.
    static func replace(_ path: String, with source: String) throws {
        let temporary = path + ".new"
        try? FileManager.default.removeItem(atPath: temporary)
        try FileManager.default.copyItem(atPath: source, toPath: temporary)
        _ = rename(temporary, path)
    }
}

/// Mutual TLS on the internal wire port of a real `fjord-ingester`: clients without a certificate, with an expired
/// one, or one from another CA are refused; a valid one works; and a whole cluster with mTLS answers through its
/// gateway.
@Suite(.serialized) struct InternalMutualTLSTests {
    @Test func theIngesterRefusesClientsWithoutAValidCertificate() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let directory = try FjordProcess.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (ingester, wirePort) = try FjordProcess.singleIngester(directory: directory, extra: [
            "-server.internal-tls-enabled", "-server.internal-tls-cert-file=\(certificates.path("server.pem"))",
            "-server.internal-tls-key-file=\(certificates.path("server.key"))",
            "-server.internal-tls-ca-file=\(certificates.path("ca.pem"))",
        ])
        try await ingester.start()
        defer { ingester.stop() }

        func client(_ name: String?, ca: String = "ca", tls: Bool = true) throws -> WireClient {
            let configuration = tls ? WireTLSConfiguration(
                certificatePath: name.map { certificates.path("\($0).pem") },
                privateKeyPath: name.map { certificates.path("\($0).key") }, caPath: certificates.path("\(ca).pem")) : nil
            var settings = WireClientConfiguration(role: "gateway", node: "tls-test", expectedServerRole: "ingester", tls: configuration)
            settings.connectTimeout = .seconds(5)
            return try WireClient(host: "127.0.0.1", port: wirePort, configuration: settings)
        }
        var refused = 0
        for (label, make) in [
            ("no certificate", { try client(nil) }), ("expired certificate", { try client("expired") }),
            ("certificate of another CA", { try client("stranger", ca: "ca") }), ("plaintext", { try client(nil, tls: false) }),
        ] as [(String, () throws -> WireClient)] {
            let bad = try make()
            do {
                try await bad.flush()
                Issue.record("\(label): the ingester accepted the connection")
            } catch {
                refused += 1
                print("internal mTLS, \(label): refused (\(error))")
            }
            await bad.shutdown()
        }
        #expect(refused == 4)
        let good = try client("client")
        #expect(await RemoteIngesterAdmin(client: good).notReadyReason() == nil)
        try await good.flush()
        await good.shutdown()
        #expect(ingester.isRunning)
    }

    @Test func aClusterWithMutualTLSAnswersThroughItsGateway() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let cluster = try await ClusterProcesses(ingesters: 1, queriers: 1, rulers: 0, extraFlags: [
            "-ring.replication-factor=1",
            "-server.internal-tls-enabled", "-server.internal-tls-cert-file=\(certificates.path("server.pem"))",
            "-server.internal-tls-key-file=\(certificates.path("server.key"))",
            "-server.internal-tls-ca-file=\(certificates.path("ca.pem"))",
        ])
        defer { cluster.down() }
        let now = Int64(Date().timeIntervalSince1970) * 1_000_000_000
        let body = Data(#"{"streams":[{"stream":{"app":"mtls"},"values":[["\#(now)","through mutual tls"]]}]}"#.utf8)
        var (status, data) = try await HTTP.request("POST", cluster.gatewayURL + "/loki/api/v1/push",
                                                    headers: ["X-Scope-OrgID": "t", "Content-Type": "application/json"], body: body)
        #expect(status == 204, "\(String(decoding: data, as: UTF8.self))")
        (status, data) = try await HTTP.get(cluster.gatewayURL, "/loki/api/v1/query_range",
                                            [("query", "{app=\"mtls\"}"), ("limit", "10")], tenant: "t")
        #expect(status == 200 && String(decoding: data, as: UTF8.self).contains("through mutual tls"),
                "\(String(decoding: data, as: UTF8.self))")
    }
}
