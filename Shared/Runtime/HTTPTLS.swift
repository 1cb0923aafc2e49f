import Foundation
public import NIOSSL

/// The HTTP listener's TLS: a certificate chain and private key from PEM files, TLS 1.2 or newer only. Building the
/// context checks what a client would otherwise find out at its first handshake: unreadable or non-PEM files, a key
/// that does not belong to the certificate, a certificate outside its validity period.
public enum HTTPTLS {
    /// A server context from the PEM bytes of `certificate` and `key` (`certPath`/`keyPath` name them in errors).
    public static func makeContext(certificate: [UInt8], key: [UInt8], certPath: String, keyPath: String,
                                   now: Date = Date()) throws -> NIOSSLContext {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(certificate)
        } catch {
            throw StartupError("server.http_tls_config.cert_file: \(certPath) is not a PEM certificate (\(error))")
        }
        guard let leaf = chain.first else {
            throw StartupError("server.http_tls_config.cert_file: \(certPath) holds no PEM certificate")
        }
        let privateKey: NIOSSLPrivateKey
        do {
            privateKey = try NIOSSLPrivateKey(bytes: key, format: .pem)
        } catch {
            throw StartupError("server.http_tls_config.key_file: \(keyPath) is not an unencrypted PEM private key (\(error))")
        }
        let notAfter = Date(timeIntervalSince1970: TimeInterval(leaf.notValidAfter))
        let notBefore = Date(timeIntervalSince1970: TimeInterval(leaf.notValidBefore))
        if notAfter < now {
            throw StartupError("server.http_tls_config.cert_file: the certificate in \(certPath) expired on \(notAfter)")
        }
        if notBefore > now {
            throw StartupError("server.http_tls_config.cert_file: the certificate in \(certPath) is not valid before \(notBefore)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        configuration.minimumTLSVersion = .tlsv12
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw StartupError("server.http_tls_config: the private key in \(keyPath) does not belong to the certificate in \(certPath) (\(error))")
        }
    }

    /// Watches the configured certificate and key; nil when the listener is plain HTTP.
    public static func watcher(certPath: String, keyPath: String) throws -> WatchedFiles<NIOSSLContext>? {
        if certPath.isEmpty && keyPath.isEmpty { return nil }
        guard !certPath.isEmpty, !keyPath.isEmpty else {
            throw StartupError("server.http_tls_config.cert_file and key_file must be set together")
        }
        return try WatchedFiles(paths: [certPath, keyPath]) { files in
            try makeContext(certificate: files[0], key: files[1], certPath: certPath, keyPath: keyPath)
        }
    }
}
