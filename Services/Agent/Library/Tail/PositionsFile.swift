import Foundation
import Yams

/// The positions file: Promtail's YAML (`positions: {key: "value"}`), plus an `inodes:` map so a file renamed by
/// rotation is recognised after a restart. Promtail's own positions files read fine (without inodes).
public enum PositionsFile {
    public static func decode(_ text: String) throws(AgentConfigError) -> [String: ResumePoint] {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw AgentConfigError("positions file: invalid YAML: \(error)")
        }
        let fields = try YAMLFields(root, path: "positions file")
        var out: [String: ResumePoint] = [:]
        for (key, value) in try fields.stringMap("positions") ?? [] {
            out[key] = ResumePoint(key: key, value: value)
        }
        for (key, value) in try fields.stringMap("inodes") ?? [] {
            out[key]?.inode = UInt64(value)
        }
        return out
    }

    public static func encode(_ points: [String: ResumePoint]) -> String {
        var text = "positions:\n"
        let keys = points.keys.sorted()
        for key in keys { text += "  \(quote(key)): \(quote(points[key]?.value ?? ""))\n" }
        let withInodes = keys.filter { points[$0]?.inode != nil }
        if !withInodes.isEmpty {
            text += "inodes:\n"
            for key in withInodes { text += "  \(quote(key)): \"\(points[key]?.inode ?? 0)\"\n" }
        }
        return text
    }

    private static func quote(_ text: String) -> String { JSONValue.quote(text) }

    /// Writes `text` to `path` atomically: a temporary file beside it, fsync, rename, fsync of the directory (created
    /// when missing, as Promtail does).
    public static func writeAtomically(_ text: String, to path: String) throws(AgentConfigError) {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw AgentConfigError("positions: cannot create \(temporary): \(String(cString: strerror(errno)))") }
        var bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if result < 0 {
                if errno == EINTR { continue }
                close(fd)
                throw AgentConfigError("positions: cannot write \(temporary): \(String(cString: strerror(errno)))")
            }
            written += result
        }
        guard fsync(fd) == 0 else {
            close(fd)
            throw AgentConfigError("positions: fsync \(temporary): \(String(cString: strerror(errno)))")
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            throw AgentConfigError("positions: cannot rename to \(path): \(String(cString: strerror(errno)))")
        }
        let directoryFD = open(directory.isEmpty ? "." : directory, O_RDONLY)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
        bytes.removeAll()
    }
}
