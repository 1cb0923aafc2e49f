#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// An exclusive `flock` on `<directory>/LOCK`, so that only one writer or replay uses a WAL directory at a time
/// (a second ingester pointed at the same directory fails fast instead of corrupting the log).
final class WALDirectoryLock: Sendable {
    private let fd: Mutex<Int32?>

    init(directory: String) throws(WALError) {
        let path = directory + "/LOCK"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WALError.posix("cannot open lock file", path) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let error = errno == EWOULDBLOCK
                ? WALError("\(directory) is in use by another WAL writer or replay (\(path) is locked)")
                : WALError.posix("cannot lock", path)
            close(fd)
            throw error
        }
        self.fd = Mutex(fd)
    }

    /// Releases the lock (also done on deinit).
    func release() {
        fd.withLock { held in
            if let descriptor = held { close(descriptor) }
            held = nil
        }
    }

    deinit { release() }
}
