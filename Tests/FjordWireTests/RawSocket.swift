#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import NIOPosix

/// A blocking TCP socket to 127.0.0.1 for tests that must send bytes no well-behaved client would. Reads run on
/// NIO's thread pool: a blocking read on one of the few cooperative threads would starve the server under test.
final class RawSocket: Sendable {
    private let descriptor: Int32

    init(port: Int) throws {
        #if canImport(Glibc)
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw RawSocketError(message: "socket() failed") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(descriptor)
            throw RawSocketError(message: "connect() failed")
        }
    }

    deinit { close(descriptor) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written <= 0 { return }
            offset += written
        }
    }

    /// Reads until the peer closes (or 10 s pass without data); returns what arrived and whether it was closed.
    func readToEnd() async throws -> (bytes: [UInt8], closed: Bool) {
        try await NIOThreadPool.singleton.runIfActive { self.blockingReadToEnd() }
    }

    /// Reads until `count` bytes arrived (or the peer closed / 10 s passed).
    func read(count wanted: Int) async throws -> [UInt8] {
        try await NIOThreadPool.singleton.runIfActive { self.blockingRead(count: wanted) }
    }

    private func blockingReadToEnd() -> (bytes: [UInt8], closed: Bool) {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return (out, true) }
            if count < 0 { return (out, false) }
            out += chunk[0..<count]
        }
    }

    private func blockingRead(count wanted: Int) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while out.count < wanted {
            let count = chunk.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, min($0.count, wanted - out.count)) }
            if count <= 0 { break }
            out += chunk[0..<count]
        }
        return out
    }
}

struct RawSocketError: Error {
    var message: String
}

/// The C `read` (inside ``RawSocket`` the name means its method).
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
