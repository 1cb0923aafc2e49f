#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Naming, header and listing of WAL segment files.
///
/// A segment is the file `<directory>/<number, 8+ decimal digits>.wal` (`00000042.wal`) starting with a 16-byte
/// header: the magic `FJWL`, u32 LE format version (1) and u64 LE segment number. Records follow back to back.
public enum WALSegmentFile {
    public static let headerSize = 16
    static let magic: [UInt8] = Array("FJWL".utf8)
    static let version: UInt32 = 1

    /// File name of segment `number`.
    public static func name(_ number: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits + ".wal"
    }

    /// Path of segment `number` in `directory`.
    public static func path(_ number: Int, in directory: String) -> String { directory + "/" + name(number) }

    /// The segment number a file name denotes, or nil for any other file.
    public static func number(fromName name: String) -> Int? {
        guard name.hasSuffix(".wal") else { return nil }
        let digits = name.utf8.dropLast(4)
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(String(decoding: digits, as: UTF8.self))
    }

    /// The header bytes of segment `number`.
    static func header(_ number: Int) -> [UInt8] {
        var bytes = magic
        withUnsafeBytes(of: version.littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt64(number).littleEndian) { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// Why a segment's header is unusable, or nil when it is fine.
    static func headerProblem(_ buffer: UnsafeRawBufferPointer, expected number: Int) -> String? {
        guard buffer.count >= headerSize else { return "file of \(buffer.count) bytes is shorter than the header" }
        guard buffer.prefix(4).elementsEqual(magic) else { return "bad magic" }
        let version = UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        guard version == Self.version else { return "unsupported format version \(version)" }
        let stored = UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        guard stored == UInt64(number) else { return "header names segment \(stored)" }
        return nil
    }

    /// Segment numbers and sizes in `directory`, ascending. A missing directory has no segments.
    public static func list(in directory: String) throws(WALError) -> [(number: Int, size: Int)] {
        guard let dir = opendir(directory) else {
            if errno == ENOENT { return [] }
            throw WALError.posix("cannot list", directory)
        }
        defer { closedir(dir) }
        var found: [(number: Int, size: Int)] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let number = number(fromName: name) else { continue }
            var info = stat()
            guard stat(directory + "/" + name, &info) == 0 else { continue }
            found.append((number, Int(info.st_size)))
        }
        return found.sorted { $0.number < $1.number }
    }
}
