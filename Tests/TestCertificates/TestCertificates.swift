import FjordTestSupport
import Foundation

/// Throwaway certificates made with the `openssl` CLI in a temporary directory, for TLS tests: two CAs (`ca`,
/// `other-ca`) and leaf certificates usable as server and client (`server`, `client` signed by `ca`; `stranger` by
/// `other-ca`; `expired` by `ca`, expired yesterday), each as `<name>.pem` and `<name>.key`, with
/// `subjectAltName=IP:127.0.0.1`.
public struct TestCertificates: Sendable {
    public let directory: String

    public init() throws {
        directory = NSTemporaryDirectory() + "fjord-tls-\(UUID().uuidString)"
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

    /// The file `name` in the directory.
    public func path(_ name: String) -> String { directory + "/" + name }

    public func remove() { try? FileManager.default.removeItem(atPath: directory) }

    /// Issues `<name>.pem`/`<name>.key` signed by `ca`, valid for `days` (negative: already expired).
    public func issue(_ name: String, by ca: String, days: String) throws {
        try openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                     "-keyout", path("\(name).key"), "-out", path("\(name).csr"), "-subj", "/CN=\(name)"])
        try openssl(["x509", "-req", "-in", path("\(name).csr"), "-CA", path("\(ca).pem"), "-CAkey", path("\(ca).key"),
                     "-CAcreateserial", "-days", days, "-extfile", path("leaf.ext"), "-out", path("\(name).pem")])
    }

    private func openssl(_ arguments: [String]) throws {
        let status: Int32
        do {
            status = try ChildProcess.run("/usr/bin/openssl", arguments).0
        } catch {
            throw TestCertificatesError(message: "openssl could not start: \(error)")
        }
        guard status == 0 else {
            throw TestCertificatesError(message: "openssl \(arguments.joined(separator: " ")) failed")
        }
    }
}

/// The `openssl` CLI failed.
public struct TestCertificatesError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
