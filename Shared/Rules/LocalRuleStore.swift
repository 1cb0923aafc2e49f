import FjordModel
import Foundation
import Synchronization

/// A rule store operation that failed, with Loki's texts for the API (`group does not exist`, ...).
public struct RuleStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case groupNotFound, namespaceNotFound, invalidName, invalidFile, io
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    static let groupNotFound = RuleStoreError(.groupNotFound, "group does not exist")
    static let namespaceNotFound = RuleStoreError(.namespaceNotFound, "group namespace does not exist")
}

/// Every tenant's rules as read from the store, and the files that were rejected.
public struct RuleStoreSnapshot: Sendable {
    /// Namespaces (sorted by name) per tenant.
    public var namespaces: [String: [RuleNamespace]] = [:]
    /// Rule files that could not be used, each with its file, lines and reasons.
    public var errors: [RuleFileErrors] = []

    public init() {}

    /// Every group with its key, sorted by key.
    public var groups: [(key: RuleGroupKey, group: RuleGroup)] {
        namespaces.flatMap { tenant, namespaces in
            namespaces.flatMap { namespace in
                namespace.groups.map { (RuleGroupKey(tenant: tenant, namespace: namespace.name, group: $0.name), $0) }
            }
        }.sorted { $0.key < $1.key }
    }
}

/// Rule files on local disk in Loki's local ruler storage layout: `<directory>/<tenant>/<namespace>.yaml` (`.yml` is
/// read too). Reads parse and validate every file; the API's writes replace one group of a namespace file (the file
/// is re-rendered and replaced atomically, so comments in it are not kept) or delete a group or namespace.
public final class LocalRuleStore: Sendable {
    public let directory: String
    private let writeLock = Mutex(())

    public init(directory: String) { self.directory = directory }

    /// Reads every tenant's rule files. Unreadable or invalid files are reported in ``RuleStoreSnapshot/errors``
    /// and left out; the rest are used.
    public func load() -> RuleStoreSnapshot {
        var snapshot = RuleStoreSnapshot()
        let fileManager = FileManager.default
        guard let tenants = try? fileManager.contentsOfDirectory(atPath: directory) else { return snapshot }
        for tenant in tenants.sorted() where !tenant.hasPrefix(".") {
            guard isDirectory(path(tenant)), (try? TenantID.validate(tenant)) != nil else { continue }
            let (namespaces, errors) = readTenant(tenant)
            if !namespaces.isEmpty { snapshot.namespaces[tenant] = namespaces }
            snapshot.errors += errors
        }
        return snapshot
    }

    /// One tenant's namespaces (valid files only), sorted by name.
    public func namespaces(tenant: String) -> [RuleNamespace] { readTenant(tenant).0 }

    /// Adds `group` to `namespace` or replaces the group of the same name there.
    public func setGroup(tenant: String, namespace: String, group: RuleGroup) throws(RuleStoreError) {
        try checkName(namespace)
        try writeLock.withLock { _ throws(RuleStoreError) in
            var groups = try readNamespaceForUpdate(tenant: tenant, namespace: namespace) ?? []
            if let index = groups.firstIndex(where: { $0.name == group.name }) {
                groups[index] = group
            } else {
                groups.append(group)
            }
            try write(groups, tenant: tenant, namespace: namespace)
        }
    }

    /// Removes one group; the namespace file goes when its last group does.
    public func deleteGroup(tenant: String, namespace: String, group: String) throws(RuleStoreError) {
        try checkName(namespace)
        try writeLock.withLock { _ throws(RuleStoreError) in
            guard var groups = try readNamespaceForUpdate(tenant: tenant, namespace: namespace),
                  let index = groups.firstIndex(where: { $0.name == group }) else { throw RuleStoreError.groupNotFound }
            groups.remove(at: index)
            if groups.isEmpty {
                try remove(tenant: tenant, namespace: namespace)
            } else {
                try write(groups, tenant: tenant, namespace: namespace)
            }
        }
    }

    /// Removes a whole namespace file.
    public func deleteNamespace(tenant: String, namespace: String) throws(RuleStoreError) {
        try checkName(namespace)
        try writeLock.withLock { _ throws(RuleStoreError) in
            guard fileOf(tenant: tenant, namespace: namespace) != nil else { throw RuleStoreError.namespaceNotFound }
            try remove(tenant: tenant, namespace: namespace)
        }
    }

    /// Whether `name` can be a namespace file name: 1–200 bytes, no `/`, no NUL, not starting with `.`.
    public static func isValidNamespace(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 200 && !name.hasPrefix(".") && !name.contains("/") && !name.contains("\0")
    }

    // MARK: Files

    private func checkName(_ namespace: String) throws(RuleStoreError) {
        guard LocalRuleStore.isValidNamespace(namespace) else {
            throw RuleStoreError(.invalidName, "invalid namespace name \"\(namespace)\": it must be 1–200 bytes without '/' and must not start with '.'")
        }
    }

    private func path(_ parts: String...) -> String {
        ([directory] + parts).joined(separator: "/")
    }

    private func isDirectory(_ path: String) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
    }

    /// The file of `namespace` (`.yaml` preferred over `.yml`), or nil.
    private func fileOf(tenant: String, namespace: String) -> String? {
        for ext in ["yaml", "yml"] {
            let candidate = path(tenant, namespace + "." + ext)
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
        }
        return nil
    }

    private func readTenant(_ tenant: String) -> ([RuleNamespace], [RuleFileErrors]) {
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: path(tenant)) else { return ([], []) }
        var namespaces: [String: RuleNamespace] = [:]
        var errors: [RuleFileErrors] = []
        for file in files.sorted() where !file.hasPrefix(".") {
            let name: String
            if file.hasSuffix(".yaml") {
                name = String(file.dropLast(5))
            } else if file.hasSuffix(".yml") {
                name = String(file.dropLast(4))
            } else {
                continue
            }
            if namespaces[name] != nil { continue }  // `.yaml` sorts before `.yml` and wins
            let filePath = path(tenant, file)
            do {
                namespaces[name] = RuleNamespace(name: name, groups: try parse(filePath))
            } catch {
                errors.append(error)
            }
        }
        return (namespaces.values.sorted { $0.name < $1.name }, errors)
    }

    private func parse(_ filePath: String) throws(RuleFileErrors) -> [RuleGroup] {
        let text: String
        do {
            text = try String(contentsOfFile: filePath, encoding: .utf8)
        } catch {
            throw RuleFileErrors([RuleFileError(file: filePath, line: 0, reason: "cannot read: \(error.localizedDescription)")])
        }
        return try RuleFileParser.parseFile(text, file: filePath)
    }

    /// The namespace's groups, nil when it has no file; an invalid file is not overwritten.
    private func readNamespaceForUpdate(tenant: String, namespace: String) throws(RuleStoreError) -> [RuleGroup]? {
        guard let filePath = fileOf(tenant: tenant, namespace: namespace) else { return nil }
        do {
            return try parse(filePath)
        } catch {
            throw RuleStoreError(.invalidFile, "namespace \(namespace) cannot be changed until its file is fixed: \(error.apiMessage)")
        }
    }

    private func write(_ groups: [RuleGroup], tenant: String, namespace: String) throws(RuleStoreError) {
        do {
            try FileManager.default.createDirectory(atPath: path(tenant), withIntermediateDirectories: true)
            let target = fileOf(tenant: tenant, namespace: namespace) ?? path(tenant, namespace + ".yaml")
            try Data(RuleYAML.file(groups).utf8).write(to: URL(fileURLWithPath: target), options: .atomic)
        } catch {
            throw RuleStoreError(.io, "cannot write rules of namespace \(namespace): \(error.localizedDescription)")
        }
    }

    private func remove(tenant: String, namespace: String) throws(RuleStoreError) {
        guard let filePath = fileOf(tenant: tenant, namespace: namespace) else { return }
        do {
            try FileManager.default.removeItem(atPath: filePath)
        } catch {
            throw RuleStoreError(.io, "cannot delete namespace \(namespace): \(error.localizedDescription)")
        }
    }
}
