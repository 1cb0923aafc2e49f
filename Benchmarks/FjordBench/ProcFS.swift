import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// CPU time and memory of a process, read from `/proc` (Linux).
struct ProcessSample: Sendable, Codable {
    /// User + system CPU seconds so far (`utime + stime` of `/proc/PID/stat`).
    var cpuSeconds: Double
    /// `VmRSS`, bytes.
    var rssBytes: Int
    /// `VmHWM` (peak RSS), bytes.
    var peakRSSBytes: Int
}

/// Reads `/proc` files; every function returns nil when the file is missing or unreadable (not Linux, process gone).
enum ProcFS {
    /// The whole content of a `/proc` file (their size is reported as 0, so read until EOF).
    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            out.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func sample(pid: Int32) -> ProcessSample? {
        guard let stat = read("/proc/\(pid)/stat"), let status = read("/proc/\(pid)/status"),
              let cpu = cpuSeconds(statLine: stat) else { return nil }
        return ProcessSample(cpuSeconds: cpu, rssBytes: statusKilobytes(status, "VmRSS:") * 1024,
                             peakRSSBytes: statusKilobytes(status, "VmHWM:") * 1024)
    }

    /// `utime + stime` in seconds from a `/proc/PID/stat` line (fields 14 and 15, counted after the `)` that ends
    /// the command name, which may itself contain spaces and parentheses).
    static func cpuSeconds(statLine: String) -> Double? {
        guard let close = statLine.lastIndex(of: ")") else { return nil }
        let fields = statLine[statLine.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state); utime is field 14, stime field 15.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// A `kB` value of `/proc/PID/status` (0 when absent).
    static func statusKilobytes(_ status: String, _ key: String) -> Int {
        for line in status.split(separator: "\n") where line.hasPrefix(key) {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, let value = Int(parts[1]) { return value }
        }
        return 0
    }

    /// CPU seconds this process has used (user + system).
    static func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// The 1, 5 and 15 minute load averages.
    static func loadAverage() -> [Double] {
        guard let text = read("/proc/loadavg") else { return [] }
        return text.split(separator: " ").prefix(3).compactMap { Double($0) }
    }
}

/// The machine a run happened on.
struct MachineInfo: Sendable, Codable {
    var cpus: Int
    var memoryBytes: Int
    var cpuModel: String
    var kernel: String

    static func current() -> MachineInfo {
        let meminfo = ProcFS.read("/proc/meminfo") ?? ""
        let cpuinfo = ProcFS.read("/proc/cpuinfo") ?? ""
        var model = "unknown"
        for line in cpuinfo.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                model = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            break
        }
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: name.release) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return MachineInfo(cpus: ProcessInfo.processInfo.activeProcessorCount,
                           memoryBytes: ProcFS.statusKilobytes(meminfo, "MemTotal:") * 1024, cpuModel: model,
                           kernel: release)
    }
}
