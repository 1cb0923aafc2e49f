public import NIOCore
import NIOPosix

/// Settings of a ``MemcachedClient`` (Loki's `memcached_client` block).
public struct MemcachedConfiguration: Sendable, Hashable {
    /// `host:port` of every server; a key always goes to the same server (jump consistent hash).
    public var servers: [String]
    /// Connect and answer timeout per call, nanoseconds.
    public var timeout: Int64
    /// Idle connections kept per server.
    public var maxIdleConnectionsPerServer: Int
    /// Values larger than this are not sent (memcached's default item size limit is 1 MiB); 0 = no limit.
    public var maxItemSize: Int
    /// After a failed connect the server is skipped for this long (nanoseconds), so a dead server costs queries
    /// nothing instead of a connect attempt each.
    public var failureBackoff: Int64

    public init(servers: [String], timeout: Int64 = 100_000_000, maxIdleConnectionsPerServer: Int = 16,
                maxItemSize: Int = 1 << 20, failureBackoff: Int64 = 1_000_000_000) {
        self.servers = servers
        self.timeout = timeout
        self.maxIdleConnectionsPerServer = maxIdleConnectionsPerServer
        self.maxItemSize = maxItemSize
        self.failureBackoff = failureBackoff
    }
}

/// A small memcached client on SwiftNIO (text protocol: `get` with many keys, `set`), with per-call timeouts,
/// pooled connections and a back-off for unreachable servers. Fjord's package mirror has no memcached client, so
/// this one covers exactly what the results cache needs.
public final class MemcachedClient: Sendable {
    public let configuration: MemcachedConfiguration
    private let servers: [MemcachedServer]

    /// A client for `configuration.servers` (`host:port` each; the port defaults to 11211). Connects lazily.
    public init(configuration: MemcachedConfiguration,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws(MemcachedError) {
        guard !configuration.servers.isEmpty else {
            throw MemcachedError(.invalidRequest, "no memcached server address")
        }
        self.configuration = configuration
        var servers: [MemcachedServer] = []
        for address in configuration.servers {
            let (host, port) = try Self.split(address)
            servers.append(MemcachedServer(host: host, port: port, configuration: configuration, group: group))
        }
        self.servers = servers
    }

    /// The values stored under `keys` (missing keys are absent). Fails when a server holding one of the keys
    /// cannot be asked.
    public func get(_ keys: [String]) async throws(MemcachedError) -> [String: [UInt8]] {
        for key in keys where !MemcachedProtocol.isValidKey(key) {
            throw MemcachedError(.invalidRequest, "invalid key \(key.prefix(80))")
        }
        var byServer: [Int: [String]] = [:]
        for key in Set(keys) { byServer[server(for: key), default: []].append(key) }
        let outcome = await withTaskGroup(of: Result<[String: [UInt8]], MemcachedError>.self) { group in
            for (index, serverKeys) in byServer {
                let server = servers[index]
                group.addTask {
                    do throws(MemcachedError) {
                        let answer = try await server.execute(MemcachedProtocol.getCommand(serverKeys), expecting: .values)
                        guard case .values(let values) = answer else {
                            return .failure(MemcachedError(.protocolViolation, "get answered without values"))
                        }
                        return .success(values)
                    } catch {
                        return .failure(error)
                    }
                }
            }
            var found: [String: [UInt8]] = [:]
            var failure: MemcachedError?
            for await result in group {
                switch result {
                case .success(let values): found.merge(values) { first, _ in first }
                case .failure(let error): failure = failure ?? error
                }
            }
            return failure.map { Result<[String: [UInt8]], MemcachedError>.failure($0) } ?? .success(found)
        }
        return try outcome.get()
    }

    /// Stores `value` under `key` for `expirationSeconds` (0 = until evicted). `NOT_STORED` is not an error.
    public func set(_ key: String, _ value: [UInt8], expirationSeconds: Int = 0) async throws(MemcachedError) {
        guard MemcachedProtocol.isValidKey(key) else { throw MemcachedError(.invalidRequest, "invalid key \(key.prefix(80))") }
        if configuration.maxItemSize > 0, value.count > configuration.maxItemSize {
            throw MemcachedError(.invalidRequest, "value of \(value.count) bytes over max_item_size \(configuration.maxItemSize)")
        }
        let command = MemcachedProtocol.setCommand(key: key, value: value, expirationSeconds: expirationSeconds)
        _ = try await servers[server(for: key)].execute(command, expecting: .storage)
    }

    /// Closes the idle connections.
    public func shutdown() {
        for server in servers { server.closeIdle() }
    }

    /// Jump consistent hash (Lamping & Veach) of the key's FNV-1a hash over the servers.
    func server(for key: String) -> Int {
        guard servers.count > 1 else { return 0 }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        var bucket: Int64 = -1
        var next: Int64 = 0
        while next < Int64(servers.count) {
            bucket = next
            hash = hash &* 2_862_933_555_777_941_757 &+ 1
            next = Int64(Double(bucket + 1) * (Double(1 << 31) / Double((hash >> 33) + 1)))
        }
        return Int(bucket)
    }

    /// `host:port` (IPv6 as `[addr]:port`); port 11211 when absent.
    static func split(_ address: String) throws(MemcachedError) -> (String, Int) {
        var host = Substring(address.filter { $0 != " " })
        var port = 11211
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            let rest = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if rest.hasPrefix(":") {
                guard let parsed = Int(rest.dropFirst()) else { throw MemcachedError(.invalidRequest, "bad port in \(address)") }
                port = parsed
            }
        } else if let colon = host.lastIndex(of: ":") {
            guard let parsed = Int(host[host.index(after: colon)...]) else {
                throw MemcachedError(.invalidRequest, "bad port in \(address)")
            }
            port = parsed
            host = host[..<colon]
        }
        guard !host.isEmpty, (1...65535).contains(port) else { throw MemcachedError(.invalidRequest, "bad address \(address)") }
        return (String(host), port)
    }
}
