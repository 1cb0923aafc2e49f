import NIOCore
public import NIOSSL

/// Mutual TLS between roles: each side presents `certificatePath`/`privateKeyPath` (PEM) and verifies the peer
/// against the CA bundle at `caPath` (a server needs its certificate; a client without one is refused by a server
/// that requires client certificates). A server with a CA requires a client certificate signed by it (an absent,
/// expired or foreign certificate fails the TLS handshake); hostnames are not checked unless
/// ``verifyHostname`` is set (roles usually dial IP addresses).
public struct WireTLSConfiguration: Sendable, Hashable {
    public var certificatePath: String?
    public var privateKeyPath: String?
    /// CA bundle that signs the peers' certificates; nil = the server does not ask for client certificates and the
    /// client trusts the system roots.
    public var caPath: String?
    /// Client only: check that the server certificate names the dialled host.
    public var verifyHostname: Bool

    public init(certificatePath: String?, privateKeyPath: String?, caPath: String?, verifyHostname: Bool = false) {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
        self.caPath = caPath
        self.verifyHostname = verifyHostname
    }

    /// The server's TLS context; throws when a file cannot be read or parsed.
    public func makeServerContext() throws -> NIOSSLContext {
        guard let certificatePath, let privateKeyPath else {
            throw WireError(.handshake, "a TLS server needs a certificate and a private key")
        }
        let chain = try NIOSSLCertificate.fromPEMFile(certificatePath).map { NIOSSLCertificateSource.certificate($0) }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: privateKeyPath, format: .pem)))
        if let caPath {
            configuration.trustRoots = .file(caPath)
            configuration.certificateVerification = .noHostnameVerification
        }
        configuration.minimumTLSVersion = .tlsv12
        return try NIOSSLContext(configuration: configuration)
    }

    /// The client's TLS context; throws when a file cannot be read or parsed.
    public func makeClientContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let certificatePath, let privateKeyPath {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificatePath).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: privateKeyPath, format: .pem))
        }
        if let caPath { configuration.trustRoots = .file(caPath) }
        configuration.certificateVerification = verifyHostname ? .fullVerification : .noHostnameVerification
        configuration.minimumTLSVersion = .tlsv12
        return try NIOSSLContext(configuration: configuration)
    }
}
