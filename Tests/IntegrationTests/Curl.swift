import FjordTestSupport
import Foundation

/// HTTPS requests for tests through the `curl` CLI (URLSession on Linux cannot be told to trust a test CA), and
/// TLS handshakes through `openssl s_client`.
enum Curl {
    struct Answer {
        /// HTTP status, 0 when no HTTP answer came (connection or TLS failure).
        var status: Int
        var body: String
        /// curl's exit code and error text.
        var exitCode: Int32
        var error: String
    }

    /// One request to a 127.0.0.1 URL, trusting `caFile`; `extra` are more curl options.
    static func request(_ method: String, _ url: String, caFile: String? = nil, headers: [String: String] = [:],
                        body: Data? = nil, extra: [String] = []) throws -> Answer {
        guard let host = URL(string: url)?.host, host == "127.0.0.1" else { throw FjordTestError("tests only talk to 127.0.0.1: \(url)") }
        var arguments = ["-sS", "-X", method, "--max-time", "20", "-o", "-", "-w", "\n%{http_code}"]
        if let caFile { arguments += ["--cacert", caFile] }
        for (name, value) in headers { arguments += ["-H", "\(name): \(value)"] }
        if body != nil { arguments += ["--data-binary", "@-"] }
        let (code, out, err) = try Subprocess.run("/usr/bin/curl", arguments + extra + [url], stdin: body)
        var text = out
        var status = 0
        if let newline = text.lastIndex(of: "\n") {
            status = Int(text[text.index(after: newline)...]) ?? 0
            text = String(text[..<newline])
        }
        return Answer(status: status, body: text, exitCode: code, error: err)
    }

    /// The subject of the certificate a TLS server on `port` presents (`openssl s_client`), or nil.
    static func serverCertificateSubject(port: Int) throws -> String? {
        let (_, out, _) = try Subprocess.run("/usr/bin/openssl", ["s_client", "-connect", "127.0.0.1:\(port)", "-servername", "127.0.0.1"],
                                  stdin: Data())
        let (_, subject, _) = try Subprocess.run("/usr/bin/openssl", ["x509", "-noout", "-subject"], stdin: Data(out.utf8))
        return subject.isEmpty ? nil : subject.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Runs helper programs (curl, openssl, fjord's admin commands) to completion (``ChildProcess/run``, at most 2
/// minutes each).
enum Subprocess {
    /// Runs a program, feeding `stdin`; exit code, standard output and standard error.
    static func run(_ program: String, _ arguments: [String], stdin: Data? = nil) throws -> (Int32, String, String) {
        let (code, out, err) = try ChildProcess.run(program, arguments, stdin: stdin)
        return (code, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }
}
