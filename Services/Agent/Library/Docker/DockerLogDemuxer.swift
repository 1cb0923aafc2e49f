import FjordModel

/// Splits the body of `/containers/{id}/logs?timestamps=1` into lines: Docker's multiplexed framing (8-byte headers:
/// stream 1 = stdout, 2 = stderr, 3 bytes zero, 4-byte big-endian length) when the container has no TTY, raw bytes
/// (all stdout) when it has one; each line starts with its RFC 3339 timestamp and a space. Pure.
public struct DockerLogDemuxer: Sendable {
    /// One log line.
    public struct Line: Sendable, Hashable {
        public var stream: String
        public var timestamp: Int64?
        public var text: String
    }

    let tty: Bool
    private var pending: [UInt8] = []
    private var lines: [String: [UInt8]] = [:]

    public init(tty: Bool) { self.tty = tty }

    public mutating func feed(_ bytes: [UInt8]) -> [Line] {
        if tty { return split(bytes, stream: "stdout") }
        pending += bytes
        var out: [Line] = []
        var start = 0
        while pending.count - start >= 8 {
            let kind = pending[start]
            let size = Int(pending[start + 4]) << 24 | Int(pending[start + 5]) << 16 | Int(pending[start + 6]) << 8
                | Int(pending[start + 7])
            guard pending.count - start - 8 >= size else { break }
            let payload = Array(pending[(start + 8)..<(start + 8 + size)])
            start += 8 + size
            out += split(payload, stream: kind == 2 ? "stderr" : "stdout")
        }
        pending.removeFirst(start)
        return out
    }

    /// Lines still without their newline when the stream ended.
    public mutating func finish() -> [Line] {
        var out: [Line] = []
        for stream in lines.keys.sorted() {
            if let rest = lines.removeValue(forKey: stream), !rest.isEmpty { out.append(parse(rest, stream: stream)) }
        }
        return out
    }

    private mutating func split(_ bytes: [UInt8], stream: String) -> [Line] {
        var buffer = lines[stream, default: []] + bytes
        var out: [Line] = []
        var start = 0
        while let newline = buffer[start...].firstIndex(of: 0x0A) {
            var end = newline
            if end > start, buffer[end - 1] == 0x0D { end -= 1 }
            out.append(parse(buffer[start..<end], stream: stream))
            start = newline + 1
        }
        buffer.removeFirst(start)
        lines[stream] = buffer
        return out
    }

    private func parse(_ bytes: ArraySlice<UInt8>, stream: String) -> Line {
        if let space = bytes.firstIndex(of: 0x20),
           let time = GoTime.parseRFC3339(String(decoding: bytes[bytes.startIndex..<space], as: UTF8.self)) {
            return Line(stream: stream, timestamp: time, text: String(decoding: bytes[(space + 1)...], as: UTF8.self))
        }
        return Line(stream: stream, timestamp: nil, text: String(decoding: bytes, as: UTF8.self))
    }

    private func parse(_ bytes: [UInt8], stream: String) -> Line { parse(bytes[...], stream: stream) }
}
