import FjordModel
import Foundation

/// A small Docker-Engine-API-compatible server on a unix socket for the agent's Docker discovery test, answering
/// the three calls Promtail's (and the agent's) discovery makes, shaped like the Engine API documentation's examples:
/// `GET /containers/json?filters=…` (running containers, `label` filters), `GET /containers/{id}/json` (inspect) and
/// `GET /containers/{id}/logs?follow=1&timestamps=1&since=…` (chunked, multiplexed 8-byte frame headers), which stays
/// open and gets new lines as the test logs them.
final class FakeDockerServer: @unchecked Sendable {
    struct Container {
        var id: String
        var name: String
        var labels: [String: String]
        var lines: [(stream: UInt8, time: Int64, text: String)] = []
        var followers: [Int32] = []
    }

    let socketPath: String
    private let lock = NSLock()
    private var containers: [Container] = []
    private var listener: Int32 = -1
    private(set) var requests: [String] = []

    init(socketPath: String) { self.socketPath = socketPath }

    func start() throws {
        unlink(socketPath)
        listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw FjordTestError("socket path too long") }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in pathBytes.enumerated() { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(listener, 16) == 0 else { throw FjordTestError("cannot listen on \(socketPath)") }
        let listening = listener
        Thread { [weak self] in
            while true {
                let connection = accept(listening, nil, nil)
                guard connection >= 0 else { return }
                guard let self else { return }
                Thread { self.serve(connection) }.start()
            }
        }.start()
    }

    func stop() {
        lock.lock()
        let fds = containers.flatMap(\.followers)
        for index in containers.indices { containers[index].followers = [] }
        lock.unlock()
        for fd in fds { close(fd) }
        if listener >= 0 {
            shutdown(listener, Int32(SHUT_RDWR))
            close(listener)
            listener = -1
        }
        unlink(socketPath)
    }

    deinit { stop() }

    /// A container starts (it shows up in the next list).
    func addContainer(id: String, name: String, labels: [String: String]) {
        lock.lock()
        containers.append(Container(id: id, name: name, labels: labels))
        lock.unlock()
    }

    /// The container writes a line (stream 1 = stdout, 2 = stderr); followers get it at once.
    func log(_ id: String, _ text: String, stream: UInt8 = 1) {
        let time = Int64(Date().timeIntervalSince1970 * 1_000_000_000)
        lock.lock()
        guard let index = containers.firstIndex(where: { $0.id == id }) else {
            lock.unlock()
            return
        }
        containers[index].lines.append((stream, time, text))
        let followers = containers[index].followers
        lock.unlock()
        let chunk = Self.chunk(Self.frame(stream, time, text))
        for fd in followers { _ = Self.send(fd, chunk) }
    }

    static func frame(_ stream: UInt8, _ time: Int64, _ text: String) -> [UInt8] {
        let payload = Array((GoTime.rfc3339Nano(time) + " " + text + "\n").utf8)
        let size = UInt32(payload.count)
        return [stream, 0, 0, 0, UInt8(size >> 24), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)] + payload
    }

    static func chunk(_ bytes: [UInt8]) -> [UInt8] {
        Array((String(bytes.count, radix: 16) + "\r\n").utf8) + bytes + Array("\r\n".utf8)
    }

    @discardableResult
    static func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let result = bytes.withUnsafeBytes { Foundation.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if result <= 0 { return false }
            sent += result
        }
        return true
    }

    private func serve(_ fd: Int32) {
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !request.ends(with: Array("\r\n\r\n".utf8)) {
            let count = read(fd, &buffer, buffer.count)
            guard count > 0 else {
                close(fd)
                return
            }
            request += buffer[0..<count]
        }
        let line = String(decoding: request.prefix { $0 != 0x0D }, as: UTF8.self)
        let target = line.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
        lock.lock()
        requests.append(target)
        lock.unlock()
        var path = String(target.prefix { $0 != "?" })
        if path.hasPrefix("/v1."), let slash = path.dropFirst().firstIndex(of: "/") { path = String(path[slash...]) }
        let query = Self.query(target)
        let parts = path.split(separator: "/").map(String.init)
        if parts == ["containers", "json"] {
            respondJSON(fd, listJSON(filters: query["filters"] ?? ""))
        } else if parts.count == 3, parts[0] == "containers", parts[2] == "json" {
            respondJSON(fd, inspectJSON(parts[1]))
        } else if parts.count == 3, parts[0] == "containers", parts[2] == "logs" {
            streamLogs(fd, id: parts[1], since: Double(query["since"] ?? "0") ?? 0, follow: query["follow"] == "1")
        } else {
            respond(fd, status: "404 Not Found", body: "{\"message\": \"page not found\"}")
        }
    }

    static func query(_ target: String) -> [String: String] {
        guard let mark = target.firstIndex(of: "?") else { return [:] }
        var out: [String: String] = [:]
        for pair in target[target.index(after: mark)...].split(separator: "&") {
            let items = pair.split(separator: "=", maxSplits: 1).map(String.init)
            out[items[0]] = items.count > 1 ? (items[1].removingPercentEncoding ?? items[1]) : ""
        }
        return out
    }

    private func respond(_ fd: Int32, status: String, body: String) {
        let bytes = Array(body.utf8)
        Self.send(fd, Array("HTTP/1.1 \(status)\r\nContent-Type: application/json\r\nContent-Length: \(bytes.count)\r\nConnection: close\r\n\r\n".utf8) + bytes)
        close(fd)
    }

    private func respondJSON(_ fd: Int32, _ body: String?) {
        if let body {
            respond(fd, status: "200 OK", body: body)
        } else {
            respond(fd, status: "404 Not Found", body: "{\"message\": \"No such container\"}")
        }
    }

    private func listJSON(filters: String) -> String {
        var wanted: [String] = []
        if let data = filters.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            wanted = object["label"] as? [String] ?? []
        }
        lock.lock()
        defer { lock.unlock() }
        let listed = containers.filter { container in
            wanted.allSatisfy { filter in
                let parts = filter.split(separator: "=", maxSplits: 1).map(String.init)
                return parts.count == 1 ? container.labels[parts[0]] != nil : container.labels[parts[0]] == parts[1]
            }
        }
        let items = listed.map { container -> [String: Any] in
            [
                "Id": container.id, "Names": ["/" + container.name], "Image": "example/api:latest", "Command": "serve",
                "Created": 1_772_359_200, "State": "running", "Status": "Up 5 seconds", "Labels": container.labels,
                "HostConfig": ["NetworkMode": "bridge"],
                "NetworkSettings": ["Networks": ["bridge": ["NetworkID": "7ea29fc14122", "IPAddress": "172.17.0.2"]]],
            ]
        }
        let data = (try? JSONSerialization.data(withJSONObject: items)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    private func inspectJSON(_ id: String) -> String? {
        lock.lock()
        defer { lock.unlock() }
        guard let container = containers.first(where: { $0.id == id }) else { return nil }
        let object: [String: Any] = [
            "Id": container.id, "Name": "/" + container.name,
            "State": ["Status": "running", "Running": true],
            "Config": ["Tty": false, "Labels": container.labels, "Image": "example/api:latest"],
            "HostConfig": ["LogConfig": ["Type": "json-file"]],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    private func streamLogs(_ fd: Int32, id: String, since: Double, follow: Bool) {
        lock.lock()
        guard let index = containers.firstIndex(where: { $0.id == id }) else {
            lock.unlock()
            respondJSON(fd, nil)
            return
        }
        let sinceNanos = Int64(since * 1_000_000_000)
        var bytes = Array("HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        for line in containers[index].lines where line.time >= sinceNanos {
            bytes += Self.chunk(Self.frame(line.stream, line.time, line.text))
        }
        // Sent under the lock so a line logged meanwhile is neither lost nor sent twice.
        Self.send(fd, bytes)
        if follow {
            containers[index].followers.append(fd)
            lock.unlock()
        } else {
            lock.unlock()
            Self.send(fd, Array("0\r\n\r\n".utf8))
            close(fd)
        }
    }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
