import Crypto
import Dispatch
import Foundation
import Synchronization

/// Checks `Authorization` headers against the current ``CredentialStore``.
///
/// Password checks cost a full PBKDF2 (hundreds of milliseconds at the default iteration count), so they run on a
/// dedicated dispatch queue rather than the Swift concurrency pool, at most ``maxQueuedVerifications`` wait (more are
/// refused with ``AuthenticationFailure/busy``), and a successful check is remembered for ``cacheLifetime`` as an
/// HMAC of the password under a key that exists only in this process — a client sending the same basic credentials
/// with every push pays the hash once. Replacing the store forgets every remembered check.
public final class Authenticator: Sendable {
    /// Password checks waiting or running at once before new ones are refused.
    public let maxQueuedVerifications: Int
    /// How long a verified password is remembered.
    public let cacheLifetime: Duration
    private static let maxCachedUsers = 10_000

    private struct CacheEntry: Sendable {
        var mac: [UInt8]
        var generation: Int
        var expires: ContinuousClock.Instant
    }

    private struct State: Sendable {
        var store: CredentialStore
        var generation = 0
        var cache: [String: CacheEntry] = [:]
        var queued = 0
    }

    private let state: Mutex<State>
    private let cacheKey = SymmetricKey(size: .bits256)
    /// Serial queues password checks run on: half the cores, so logins cannot take every core.
    private let lanes: [DispatchQueue]

    public init(store: CredentialStore, maxQueuedVerifications: Int = 64, cacheLifetime: Duration = .seconds(600)) {
        state = Mutex(State(store: store))
        self.maxQueuedVerifications = maxQueuedVerifications
        self.cacheLifetime = cacheLifetime
        lanes = (0..<max(1, ProcessInfo.processInfo.activeProcessorCount / 2)).map {
            DispatchQueue(label: "fjord.auth.password.\($0)", qos: .userInitiated)
        }
    }

    /// The store in use.
    public var store: CredentialStore { state.withLock { $0.store } }

    /// Replaces the store (credentials file reloaded): remembered password checks are dropped.
    public func replace(_ store: CredentialStore) {
        state.withLock {
            $0.store = store
            $0.generation += 1
            $0.cache = [:]
        }
    }

    /// The credential of an `Authorization` header value.
    public func authenticate(_ header: String?) async -> Result<Credential, AuthenticationFailure> {
        guard let header, !header.isEmpty else { return .failure(.missing) }
        let parsed: AuthorizationHeader
        do {
            parsed = try AuthorizationHeader.parse(header)
        } catch {
            return .failure(error)
        }
        switch parsed {
        case .bearer(let token):
            let digest = BearerToken.digest(token)
            guard let credential = state.withLock({ $0.store.token(digest: digest) }) else { return .failure(.unknownToken) }
            return .success(credential)
        case .basic(let user, let password):
            return await verify(user: user, password: password)
        }
    }

    private func verify(user: String, password: [UInt8]) async -> Result<Credential, AuthenticationFailure> {
        let mac = Array(HMAC<SHA256>.authenticationCode(for: Array(user.utf8) + [0] + password, using: cacheKey))
        let now = ContinuousClock.now
        enum Plan { case cached(Credential), verify(PasswordHash, Credential?, Int, lane: Int), busy }
        let plan: Plan = state.withLock { state in
            let entry = state.store.users[user]
            if let entry, let cached = state.cache[user], cached.generation == state.generation, cached.expires > now,
               ConstantTime.equals(cached.mac, mac) {
                return .cached(entry.credential)
            }
            guard state.queued < maxQueuedVerifications else { return .busy }
            state.queued += 1
            return .verify(entry?.hash ?? state.store.decoyHash, entry?.credential, state.generation,
                           lane: state.queued % lanes.count)
        }
        switch plan {
        case .busy:
            return .failure(.busy)
        case .cached(let credential):
            return .success(credential)
        case .verify(let hash, let credential, let generation, let lane):
            let matches = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                lanes[lane].async { continuation.resume(returning: hash.verify(password)) }
            }
            let lifetime = cacheLifetime
            state.withLock { state in
                state.queued -= 1
                guard matches, credential != nil, state.generation == generation else { return }
                if state.cache.count >= Authenticator.maxCachedUsers { state.cache = [:] }
                state.cache[user] = CacheEntry(mac: mac, generation: generation, expires: now + lifetime)
            }
            guard let credential else { return .failure(.unknownUser(user)) }
            return matches ? .success(credential) : .failure(.wrongPassword(user))
        }
    }
}
