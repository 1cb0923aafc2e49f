import Crypto
import CryptoExtras
import Foundation

/// A salted password hash as stored in the credentials file: PBKDF2-HMAC-SHA256 with a per-user random salt, written
/// `$pbkdf2-sha256$<iterations>$<salt, base64>$<hash, base64>`. Verification compares in constant time.
public struct PasswordHash: Sendable, Hashable {
    /// OWASP's recommendation for PBKDF2-HMAC-SHA256 (2023).
    public static let defaultIterations = 600_000
    /// Below this a hash is accepted but reported as weak (swift-crypto's own minimum for new keys).
    public static let recommendedMinimumIterations = 210_000
    /// Hashes with fewer iterations are refused: they would be little better than a plain SHA-256.
    public static let minimumIterations = 1_000
    /// Refused above this: a typo in the file must not make every login take minutes.
    public static let maximumIterations = 100_000_000
    static let scheme = "pbkdf2-sha256"
    static let saltBytes = 16
    static let hashBytes = 32

    public var iterations: Int
    public var salt: [UInt8]
    public var hash: [UInt8]

    public init(iterations: Int, salt: [UInt8], hash: [UInt8]) {
        self.iterations = iterations
        self.salt = salt
        self.hash = hash
    }

    /// Hashes `password` with a fresh random salt.
    public static func make(password: String, iterations: Int = defaultIterations) throws(CredentialsError) -> PasswordHash {
        guard (minimumIterations...maximumIterations).contains(iterations) else {
            throw CredentialsError("iterations must be between \(minimumIterations) and \(maximumIterations)")
        }
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<saltBytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return PasswordHash(iterations: iterations, salt: salt,
                            hash: derive(Array(password.utf8), salt: salt, iterations: iterations))
    }

    /// Parses the stored text form.
    public init(parsing text: String) throws(CredentialsError) {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0].isEmpty, parts[1] == Substring(PasswordHash.scheme) else {
            throw CredentialsError("password_hash must look like $pbkdf2-sha256$<iterations>$<salt>$<hash> (made by `fjord credentials hash-password`)")
        }
        guard let iterations = Int(parts[2]),
              (PasswordHash.minimumIterations...PasswordHash.maximumIterations).contains(iterations) else {
            throw CredentialsError("password_hash iterations must be a number between \(PasswordHash.minimumIterations) and \(PasswordHash.maximumIterations)")
        }
        guard let salt = Data(base64Encoded: String(parts[3])), salt.count >= 8,
              let hash = Data(base64Encoded: String(parts[4])), hash.count == PasswordHash.hashBytes else {
            throw CredentialsError("password_hash salt or hash is not valid base64 of the expected length")
        }
        self.init(iterations: iterations, salt: Array(salt), hash: Array(hash))
    }

    /// The text stored in the credentials file.
    public var encoded: String {
        "$\(PasswordHash.scheme)$\(iterations)$\(Data(salt).base64EncodedString())$\(Data(hash).base64EncodedString())"
    }

    /// Whether `password` matches (constant-time comparison of the derived keys). Costs `iterations` HMACs.
    public func verify(_ password: [UInt8]) -> Bool {
        ConstantTime.equals(PasswordHash.derive(password, salt: salt, iterations: iterations), hash)
    }

    static func derive(_ password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        do {
            let key = try KDF.Insecure.PBKDF2.deriveKey(from: password, salt: salt, using: .sha256,
                                                        outputByteCount: hashBytes, unsafeUncheckedRounds: iterations)
            return key.withUnsafeBytes { Array($0) }
        } catch {
            // Only a failed allocation inside BoringSSL gets here; parameters are validated above.
            preconditionFailure("PBKDF2 failed with valid parameters (\(iterations) iterations): \(error)")
        }
    }
}
