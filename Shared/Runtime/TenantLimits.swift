public import FjordConfig
import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization

/// Each tenant's effective limits: `limits_config` with the runtime configuration file's `overrides:` applied
/// (`runtime_config.file`). ``RuntimeConfigReloader`` swaps in a new table when the file changes, so callers that
/// ask per request (the compactor per pass) follow it without a restart.
public final class TenantLimits: Sendable {
    public let defaults: FjordConfiguration.Limits
    private let overrides = Mutex<[String: FjordConfiguration.Limits]>([:])

    public init(defaults: FjordConfiguration.Limits, overrides: [String: FjordConfiguration.Limits] = [:]) {
        self.defaults = defaults
        self.overrides.withLock { $0 = overrides }
    }

    /// The tenant's limits.
    public func limits(_ tenant: String) -> FjordConfiguration.Limits {
        overrides.withLock { $0[tenant] } ?? defaults
    }

    /// Replaces every override.
    public func replace(_ table: [String: FjordConfiguration.Limits]) {
        overrides.withLock { $0 = table }
    }

    /// Loads the configured runtime file once (start-up): nil-file configurations get defaults only. Throws the
    /// file's problem so a bad file stops start-up, as in Loki.
    public static func load(_ config: FjordConfiguration) throws -> TenantLimits {
        let limits = TenantLimits(defaults: config.limits)
        if !config.runtimeConfig.file.isEmpty {
            limits.replace(try RuntimeConfigReloader.read(config.runtimeConfig.file, defaults: config.limits))
        }
        return limits
    }
}

/// Re-reads `runtime_config.file` every `runtime_config.period` and applies it when its content changed. A file that
/// does not load is logged and the previous overrides stay.
public struct RuntimeConfigReloader: Service {
    let path: String
    let period: Int64
    let limits: TenantLimits
    let logger: Logger

    public init(config: FjordConfiguration, limits: TenantLimits, logger: Logger) {
        path = config.runtimeConfig.file
        period = config.runtimeConfig.periodNanos
        self.limits = limits
        self.logger = logger
    }

    static func read(_ path: String, defaults: FjordConfiguration.Limits) throws -> [String: FjordConfiguration.Limits] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError("cannot read runtime config file \(path): \(error)")
        }
        return try ConfigLoader.tenantOverrides(yaml: text, defaults: defaults, source: path)
    }

    public func run() async throws {
        guard !path.isEmpty else {
            // Nothing to watch; a service that returns early would stop the whole group.
            try? await gracefulShutdown()
            return
        }
        var last: String?  // the first tick applies the file again, so a change right after start-up is not missed
        while !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(nanoseconds: UInt64(period)) }
            } catch {
                return
            }
            let text = try? String(contentsOfFile: path, encoding: .utf8)
            guard text != last else { continue }
            last = text
            do {
                let table = try RuntimeConfigReloader.read(path, defaults: limits.defaults)
                limits.replace(table)
                logger.info("runtime config reloaded", metadata: ["file": "\(path)", "tenants": "\(table.count)"])
            } catch {
                logger.error("runtime config not applied; keeping the previous overrides", metadata: ["error": "\(error)"])
            }
        }
    }
}
