import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Space a data directory takes: allocated bytes (`st_blocks` × 512, what `du` shows) in total and per top-level entry
/// (e.g. `wal`, `chunks`, `index`).
struct DiskUsage: Sendable, Codable {
    var totalBytes: Int
    /// Sum of file sizes (`st_size`), for comparison with allocated space.
    var apparentBytes: Int
    var files: Int
    var byTopLevel: [String: Int]
    /// File sizes per top-level entry (a preallocated WAL segment is allocated in full but only partly written).
    var apparentByTopLevel: [String: Int] = [:]

    static func measure(_ directory: String) -> DiskUsage {
        var usage = DiskUsage(totalBytes: 0, apparentBytes: 0, files: 0, byTopLevel: [:])
        let top = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in top.sorted() {
            let (allocated, apparent, files) = size(of: directory + "/" + name)
            usage.byTopLevel[name] = allocated
            usage.apparentByTopLevel[name] = apparent
            usage.totalBytes += allocated
            usage.apparentBytes += apparent
            usage.files += files
        }
        return usage
    }

    /// (allocated, apparent, files) of a file or a directory tree, not following symlinks.
    private static func size(of path: String) -> (Int, Int, Int) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return (0, 0, 0) }
        if (info.st_mode & S_IFMT) != S_IFDIR {
            return (Int(info.st_blocks) * 512, Int(info.st_size), 1)
        }
        var total = (0, 0, 0)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
            let (allocated, apparent, files) = size(of: path + "/" + name)
            total = (total.0 + allocated, total.1 + apparent, total.2 + files)
        }
        return total
    }
}
