import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An ``ObjectStore`` in a local directory: key `a/b/c` is the file `<root>/a/b/c`.
///
/// Writes are atomic and durable: the data goes to a temporary file in `<root>/.fjord-tmp/`, which is fsynced and
/// renamed over the destination; then the destination directory is fsynced (and the parents of any directory the
/// write created). Keys are validated by ``ObjectKey/validate(_:)``, so no key can escape the root.
///
/// Calls use blocking POSIX I/O on the caller's thread; objects are at most a few MiB.
public struct FilesystemObjectStore: ObjectStore {
    public let root: String

    /// A store rooted at `root`, created if missing.
    public init(root: String) throws {
        var trimmed = root
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.root = trimmed
        try FilesystemObjectStore.makeDirectories(trimmed + "/" + ObjectKey.reservedTemporaryDirectory, key: "")
    }

    private func path(_ key: String) throws(ObjectStoreError) -> String {
        try ObjectKey.validate(key)
        return root + "/" + key
    }

    private static func ioError(_ key: String, _ operation: String, _ code: Int32 = errno) -> ObjectStoreError {
        if code == ENOENT { return ObjectStoreError(.notFound, key: key) }
        return ObjectStoreError(.io, key: key, message: "\(operation): \(String(cString: strerror(code)))")
    }

    public func put(_ key: String, _ data: [UInt8]) async throws {
        let destination = try path(key)
        let directory = String(destination[..<(destination.lastIndex(of: "/") ?? destination.endIndex)])
        try FilesystemObjectStore.makeDirectories(directory, key: key)
        let temporary = "\(root)/\(ObjectKey.reservedTemporaryDirectory)/\(UUID().uuidString).tmp"
        let descriptor = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FilesystemObjectStore.ioError(key, "create temporary file") }
        var written = 0
        let writeError: Int32? = data.withUnsafeBytes { buffer -> Int32? in
            guard let base = buffer.baseAddress else { return nil }
            while written < buffer.count {
                let result = write(descriptor, base + written, buffer.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                written += result
            }
            return nil
        }
        if let writeError {
            close(descriptor)
            unlink(temporary)
            throw FilesystemObjectStore.ioError(key, "write", writeError)
        }
        if fsync(descriptor) != 0 {
            let code = errno
            close(descriptor)
            unlink(temporary)
            throw FilesystemObjectStore.ioError(key, "fsync", code)
        }
        close(descriptor)
        if rename(temporary, destination) != 0 {
            let code = errno
            unlink(temporary)
            throw FilesystemObjectStore.ioError(key, "rename", code)
        }
        try FilesystemObjectStore.syncDirectory(directory, key: key)
    }

    public func get(_ key: String) async throws -> [UInt8] {
        let (descriptor, size) = try openFile(key)
        defer { close(descriptor) }
        return try FilesystemObjectStore.read(descriptor, key: key, offset: 0, count: size)
    }

    public func get(_ key: String, range: Range<Int>) async throws -> [UInt8] {
        let (descriptor, size) = try openFile(key)
        defer { close(descriptor) }
        guard range.lowerBound >= 0, range.lowerBound < max(size, 1), !range.isEmpty else {
            throw ObjectStoreError(.invalidRange, key: key, message: "\(range) of an object of \(size) bytes")
        }
        let upper = min(range.upperBound, size)
        return try FilesystemObjectStore.read(descriptor, key: key, offset: range.lowerBound, count: max(0, upper - range.lowerBound))
    }

    /// Opens the object's file for reading; returns the descriptor (the caller closes it) and the file size.
    private func openFile(_ key: String) throws(ObjectStoreError) -> (Int32, Int) {
        let file = try path(key)
        let descriptor = open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FilesystemObjectStore.ioError(key, "open") }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let error = FilesystemObjectStore.ioError(key, "stat")
            close(descriptor)
            throw error
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw ObjectStoreError(.notFound, key: key, message: "not a file")
        }
        return (descriptor, Int(info.st_size))
    }

    private static func read(_ descriptor: Int32, key: String, offset: Int, count: Int) throws(ObjectStoreError) -> [UInt8] {
        var failure: Int32?
        var total = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            guard let base = buffer.baseAddress else {
                initialized = 0
                return
            }
            while total < count {
                let result = pread(descriptor, base + total, count - total, off_t(offset + total))
                if result < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    break
                }
                if result == 0 { break }
                total += result
            }
            initialized = total
        }
        if let failure { throw ioError(key, "read", failure) }
        guard total == count else { throw ObjectStoreError(.io, key: key, message: "short read: \(total) of \(count) bytes") }
        return bytes
    }

    public func list(prefix: String) async throws -> [ObjectInfo] {
        try ObjectKey.validatePrefix(prefix)
        // Walk only the deepest directory the prefix names completely.
        let directoryPart = prefix.lastIndex(of: "/").map { String(prefix[..<$0]) } ?? ""
        let start = directoryPart.isEmpty ? root : root + "/" + directoryPart
        var results: [ObjectInfo] = []
        var pending = [(path: start, key: directoryPart)]
        while let (directory, keyPrefix) = pending.popLast() {
            guard let handle = opendir(directory) else {
                if errno == ENOENT || errno == ENOTDIR { continue }
                throw FilesystemObjectStore.ioError(keyPrefix, "list")
            }
            defer { closedir(handle) }
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                if keyPrefix.isEmpty, name == ObjectKey.reservedTemporaryDirectory { continue }
                let key = keyPrefix.isEmpty ? name : keyPrefix + "/" + name
                let full = directory + "/" + name
                var info = stat()
                guard lstat(full, &info) == 0 else { continue }
                if (info.st_mode & S_IFMT) == S_IFDIR {
                    // Descend only where keys can still match the prefix.
                    if (key + "/").hasPrefix(prefix) || prefix.hasPrefix(key + "/") { pending.append((full, key)) }
                } else if (info.st_mode & S_IFMT) == S_IFREG, key.hasPrefix(prefix) {
                    results.append(ObjectInfo(key: key, size: Int(info.st_size)))
                }
            }
        }
        return results.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
    }

    public func delete(_ key: String) async throws {
        let file = try path(key)
        if unlink(file) != 0 {
            if errno == ENOENT { return }
            throw FilesystemObjectStore.ioError(key, "delete")
        }
        // Remove directories the deletion left empty (best effort), never the root.
        var directory = String(file[..<(file.lastIndex(of: "/") ?? file.endIndex)])
        while directory.count > root.count, rmdir(directory) == 0 {
            directory = String(directory[..<(directory.lastIndex(of: "/") ?? directory.startIndex)])
        }
    }

    public func exists(_ key: String) async throws -> Bool {
        let file = try path(key)
        var info = stat()
        if stat(file, &info) != 0 {
            if errno == ENOENT || errno == ENOTDIR { return false }
            throw FilesystemObjectStore.ioError(key, "stat")
        }
        return (info.st_mode & S_IFMT) == S_IFREG
    }

    /// `mkdir -p`, fsyncing the parent of every directory it creates.
    private static func makeDirectories(_ path: String, key: String) throws(ObjectStoreError) {
        var info = stat()
        if stat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw ObjectStoreError(.io, key: key, message: "\(path) is not a directory")
            }
            return
        }
        let parent = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        if !parent.isEmpty { try makeDirectories(parent, key: key) }
        if mkdir(path, 0o755) != 0, errno != EEXIST { throw ioError(key, "mkdir \(path)") }
        if !parent.isEmpty { try syncDirectory(parent, key: key) }
    }

    private static func syncDirectory(_ path: String, key: String) throws(ObjectStoreError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ioError(key, "open directory \(path)") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw ioError(key, "fsync directory \(path)") }
    }
}
