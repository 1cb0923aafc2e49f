#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension WALError {
    /// An error for a failed system call, with the current `errno` text.
    static func posix(_ action: String, _ path: String) -> WALError {
        let code = errno
        return WALError("\(action) \(path): \(String(cString: strerror(code))) (errno \(code))")
    }
}

/// Thin wrappers over the POSIX calls the WAL needs; each throws a ``WALError`` naming the path.
enum PosixFile {
    /// Creates `path` (which must not exist) for writing.
    static func create(_ path: String) throws(WALError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WALError.posix("cannot create", path) }
        return fd
    }

    /// Writes all of `bytes` at the current offset, retrying short writes and `EINTR`.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(WALError) {
        guard var pointer = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let written = write(fd, pointer, left)
            if written < 0 {
                if errno == EINTR { continue }
                throw WALError.posix("cannot write", path)
            }
            pointer += written
            left -= written
        }
    }

    /// Writes all of `bytes` at the current offset.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(WALError) {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(WALError) in try writeAll(fd, raw, path: path) }
        }
        try result.get()
    }

    /// `fdatasync`: the written data (and the size, when it changed) reach the disk.
    static func syncData(_ fd: Int32, path: String) throws(WALError) {
        #if canImport(Glibc)
        let result = fdatasync(fd)
        #else
        let result = fsync(fd)
        #endif
        guard result == 0 else { throw WALError.posix("cannot fsync", path) }
    }

    /// `fsync`: data and all metadata reach the disk.
    static func syncAll(_ fd: Int32, path: String) throws(WALError) {
        guard fsync(fd) == 0 else { throw WALError.posix("cannot fsync", path) }
    }

    /// Makes the directory entries of `path` (file creations and removals) durable.
    static func syncDirectory(_ path: String) throws(WALError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw WALError.posix("cannot open directory", path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw WALError.posix("cannot fsync directory", path) }
    }

    /// Reserves `size` bytes for the file (zero-filled, counted in its size). Failure is not fatal: callers ignore it.
    @discardableResult
    static func preallocate(_ fd: Int32, size: Int) -> Bool {
        #if canImport(Glibc)
        return posix_fallocate(fd, 0, off_t(size)) == 0
        #else
        return false
        #endif
    }

    static func truncate(_ fd: Int32, to size: Int, path: String) throws(WALError) {
        guard ftruncate(fd, off_t(size)) == 0 else { throw WALError.posix("cannot truncate", path) }
    }

    /// Cuts the file at `path` to `size` bytes and makes that durable.
    static func truncate(path: String, to size: Int) throws(WALError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw WALError.posix("cannot open", path) }
        defer { close(fd) }
        try truncate(fd, to: size, path: path)
        try syncAll(fd, path: path)
    }

    /// The whole file at `path`.
    static func readAll(_ path: String) throws(WALError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw WALError.posix("cannot open", path) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw WALError.posix("cannot stat", path) }
        let size = Int(info.st_size)
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        var failure: WALError?
        bytes.withUnsafeMutableBytes { raw in
            while filled < size {
                let got = read(fd, raw.baseAddress! + filled, size - filled)
                if got < 0 {
                    if errno == EINTR { continue }
                    failure = WALError.posix("cannot read", path)
                    return
                }
                if got == 0 { break }
                filled += got
            }
        }
        if let failure { throw failure }
        if filled < size { bytes.removeSubrange(filled...) }
        return bytes
    }

    /// Removes the file at `path`; a file that is already gone is fine.
    static func remove(_ path: String) throws(WALError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw WALError.posix("cannot remove", path) }
    }

    /// Creates `path` and missing parents.
    static func makeDirectory(_ path: String) throws(WALError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0, errno != EEXIST { throw WALError.posix("cannot create directory", prefix) }
        }
    }
}
