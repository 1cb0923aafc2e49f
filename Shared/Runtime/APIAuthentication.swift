public import FjordAuth
public import FjordConfig
public import Logging
public import ServiceLifecycle

/// Authentication of a public HTTP API (gateway, all-in-one, ruler): the ``Authenticator`` for the configured
/// credentials file and the service that re-reads the file every `auth.reload_interval` (a bad version is logged
/// and the previous credentials stay in force).
public enum APIAuthentication {
    /// The authenticator and its reload service; `(nil, [])` when no credentials file is configured (a warning says
    /// how requests are identified instead). Throws for an unusable file.
    public static func make(_ config: FjordConfiguration, logger: Logger) throws -> (Authenticator?, [any Service]) {
        guard let credentials = try SecurityChecks.credentialsWatcher(config) else {
            if config.authEnabled {
                logger.warning("requests are not authenticated: X-Scope-OrgID is trusted as sent (auth.trust_org_id_header)")
            } else {
                logger.warning("requests are not authenticated: every request is tenant fake (auth_enabled: false)")
            }
            return (nil, [])
        }
        let authenticator = Authenticator(store: credentials.value)
        report(credentials.value, path: credentials.paths[0], logger: logger, event: "credentials loaded")
        let reloader = PeriodicService(intervalNanos: config.auth.reloadIntervalNanos) {
            switch credentials.reload() {
            case .unchanged:
                break
            case .updated(let store):
                authenticator.replace(store)
                report(store, path: credentials.paths[0], logger: logger, event: "credentials reloaded")
            case .rejected(let problem):
                logger.error("credentials file change rejected; keeping the previous credentials",
                             metadata: ["error": "\(problem)"])
            }
        }
        return (authenticator, [reloader])
    }

    /// How requests are identified, for the start-up log line.
    public static func mode(_ config: FjordConfiguration) -> String {
        !config.auth.credentialsFile.isEmpty ? "credentials" : config.authEnabled ? "trusted X-Scope-OrgID" : "off"
    }

    private static func report(_ store: CredentialStore, path: String, logger: Logger, event: String) {
        logger.info("\(event)", metadata: ["file": "\(path)", "users": "\(store.users.count)", "tokens": "\(store.tokens.count)"])
        if !store.weakHashUsers.isEmpty {
            logger.warning("password hashes with fewer than \(PasswordHash.recommendedMinimumIterations) iterations; hash them again with `fjord credentials hash-password`",
                           metadata: ["users": "\(store.weakHashUsers.joined(separator: ","))"])
        }
    }
}
