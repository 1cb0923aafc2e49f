public import FjordAuth
public import FjordConfig

/// Secure by default: a public HTTP API (the gateway, the all-in-one `fjord`, the ruler) starts only when it is protected
/// or the configuration says explicitly that it need not be (docs/security.md):
/// - transport: a TLS certificate and key (`server.http_tls_config`), or `server.http_allow_insecure: true`;
/// - identity: a credentials file (`auth.credentials_file`), or `auth.trust_org_id_header: true` (a proxy in front
///   authenticates, Loki's model), or `auth_enabled: false` (one tenant, no authentication, Loki's local mode).
/// Files named by the configuration must load: a bad certificate, key or credentials file stops start-up.
public enum SecurityChecks {
    /// Whether `config` runs a public HTTP API with tenant data: the gateway, the all-in-one, the ruler (rule API).
    public static func servesPublicAPI(_ config: FjordConfiguration) -> Bool {
        ["all", "gateway", "ruler"].contains(config.target)
    }

    /// The first problem, or nil.
    public static func problem(_ config: FjordConfiguration) -> String? {
        let server = config.server
        let hasTLS = !server.httpTLSCertFile.isEmpty || !server.httpTLSKeyFile.isEmpty
        if servesPublicAPI(config) {
            if !hasTLS && !server.httpAllowInsecure {
                return "the HTTP API would be served without TLS: set server.http_tls_config.cert_file and key_file (-server.http-tls-cert-path, -server.http-tls-key-path), or server.http_allow_insecure: true (-server.http-allow-insecure) to serve plain HTTP deliberately, e.g. for local development (see docs/security.md)"
            }
            if config.authEnabled && config.auth.credentialsFile.isEmpty && !config.auth.trustOrgIDHeader {
                return "auth_enabled is true but nothing would authenticate requests: set auth.credentials_file (-auth.credentials-file; entries are made with `fjord credentials`), or auth.trust_org_id_header: true (-auth.trust-org-id-header) when a proxy in front authenticates and sets X-Scope-OrgID, or auth_enabled: false (-auth.enabled=false) for a single-tenant local setup (see docs/security.md)"
            }
            do {
                _ = try credentialsWatcher(config)
            } catch {
                return "\(error)"
            }
        }
        do {
            _ = try HTTPTLS.watcher(certPath: server.httpTLSCertFile, keyPath: server.httpTLSKeyFile)
        } catch {
            return "\(error)"
        }
        return nil
    }

    /// The configured credentials file, loaded and watched; nil when none is configured.
    public static func credentialsWatcher(_ config: FjordConfiguration) throws -> WatchedFiles<CredentialStore>? {
        let path = config.auth.credentialsFile
        guard !path.isEmpty else { return nil }
        do {
            return try WatchedFiles(paths: [path]) { files in
                try CredentialStore.parse(yaml: String(decoding: files[0], as: UTF8.self), source: path)
            }
        } catch {
            throw StartupError("auth.credentials_file: \(error)")
        }
    }
}
